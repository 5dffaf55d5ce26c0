/**
 * Builds the real adapters (SDK clients with explicit retry settings) for the handlers and
 * `run-once`. The only module that knows which class implements which interface.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { globalServiceRegion, type Partition } from "../arn/partition";
import type { Guardrail } from "../guardrail/guardrail";
import { DynamoDbStore } from "../remediation/dynamodb-store";
import { AssumeRoleClientProvider } from "../remediation/member-clients";
import { AwsOrganizationLookup } from "../remediation/organization";
import { RemediationResponder } from "../remediation/responder";
import { clientConfig, type ClientOverrides } from "../aws/clients";
import { readOrganization } from "../aws/organizations";
import { type FindingImporter, SecurityHubImporter } from "../aws/securityhub";
import { SnsNotifier } from "../aws/sns";
import type { FindingResponder, Notifier } from "../aws/contracts";
import type { OrganizationReader } from "../runtime/drift";
import { MONITOR_SOURCES, type SourceSpec } from "../runtime/query/backends";
import type { PollSettings, QuerySource } from "../runtime/query/source";
import { DynamoStateStore } from "../runtime/state/dynamodb";
import type { StateStore } from "../runtime/state/store";

/** The scheduled job's query source for `spec.backend` (src/runtime/query/backends.ts). */
export function makeQuerySource(
  guardrail: Guardrail,
  spec: SourceSpec,
  overrides: ClientOverrides = {},
  poll?: PollSettings,
): QuerySource {
  return MONITOR_SOURCES[spec.backend].create(guardrail, spec, overrides, poll);
}

export function makeStateStore(tableName: string, overrides: ClientOverrides = {}): StateStore {
  return new DynamoStateStore(new DynamoDBClient(clientConfig(overrides)), tableName);
}

export function makeNotifier(topicArn: string, overrides: ClientOverrides = {}): Notifier {
  return new SnsNotifier(new SNSClient(clientConfig(overrides)), topicArn);
}

/** Security Hub in the product ARN's region (the monitor's), importing as that account's default product. */
export function makeSecurityHubImporter(productArn: string, overrides: ClientOverrides = {}): FindingImporter {
  const region = productArn.split(":")[3];
  return new SecurityHubImporter(new SecurityHubClient(clientConfig({ region, ...overrides })), productArn);
}

/** Organizations is global: its API lives in one region per partition. */
function organizationsClient(partition: Partition, overrides: ClientOverrides): OrganizationsClient {
  return new OrganizationsClient(
    clientConfig({ region: globalServiceRegion(partition, "organizations"), ...overrides }),
  );
}

export function makeOrganizationReader(partition: Partition, overrides: ClientOverrides = {}): OrganizationReader {
  const client = organizationsClient(partition, overrides);
  return (names, slotsAt) => readOrganization(client, names, slotsAt);
}

export interface ResponderSpec {
  stateTableName: string;
  memberRoleName?: string;
  memberRoleExternalId?: string;
  notifier: Notifier;
}

/** The remediation responder (src/remediation), which itself honours remediation.mode (off / dry-run / enforce). */
export function makeResponder(
  guardrail: Guardrail,
  spec: ResponderSpec,
  overrides: ClientOverrides = {},
): FindingResponder {
  const ddb = new DynamoDBClient(clientConfig(overrides));
  return new RemediationResponder({
    guardrail,
    store: new DynamoDbStore(ddb, spec.stateTableName),
    organization: new AwsOrganizationLookup(
      organizationsClient(guardrail.partition, overrides),
      guardrail.config.organization.managementAccountId,
    ),
    clients: new AssumeRoleClientProvider({
      sts: new STSClient(clientConfig(overrides)),
      memberRoleName: spec.memberRoleName ?? guardrail.config.remediation.memberRoleName,
      externalId: spec.memberRoleExternalId,
      homeRegion: guardrail.config.aws.region,
    }),
    notifier: spec.notifier,
    execute: true,
    actor: "bedrock-guardrail monitor",
  });
}
