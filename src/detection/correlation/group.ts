/**
 * Who a correlation rule counts events for, and the values it counts. The group of a record is its
 * credential: the access key id when the record has one, else the Bedrock API key (bearer token) of
 * the principal (CloudTrail never logs the key itself, so the principal and the key type stand for
 * it), else the principal ARN IAM evaluates. A record without any of them belongs to no group and
 * is left out of correlation (it cannot be told apart from anyone else's).
 */
import { resolvePrincipal } from "../../arn/principal";
import type { CorrelationRule, ValueField } from "../../guardrail/correlation-definition";
import { bearerTokenKindOf } from "../credential";
import { asString, type CloudTrailRecord, modelIdOf } from "../record";

export function groupOf(record: CloudTrailRecord, groupBy: CorrelationRule["groupBy"]): string | undefined {
  const principal = resolvePrincipal(record.userIdentity, asString(record.awsRegion));
  const arn = principal.principalArn;
  if (groupBy === "principal") return arn && `principal ${arn}`;
  if (principal.accessKeyId) return `access-key ${principal.accessKeyId}`;
  const bearer = bearerTokenKindOf(record);
  if (bearer && arn) return `${bearer} of ${arn}`;
  return arn && `principal ${arn}`;
}

export function fieldValue(record: CloudTrailRecord, field: ValueField): string | undefined {
  if (field === "requestParameters.modelId") return modelIdOf(record);
  return asString(record[field]);
}
