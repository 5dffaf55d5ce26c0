/**
 * Builds the responder's collaborators for the command line (`remediate --execute`, `undo`) from
 * local credentials: the state store (a local JSON file, or the monitor's DynamoDB table), the
 * member-account clients (assume the member role, or use the local credentials as they are), the
 * Organizations look-ups and the caller's own identity (never remediated by itself).
 */
import * as path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { globalServiceRegion } from "../arn/partition";
import { parseArn } from "../arn/arn-like";
import type { Guardrail } from "../guardrail/guardrail";
import { clientConfig } from "../aws/clients";
import { SnsNotifier } from "../aws/sns";
import type { Notifier } from "../aws/contracts";
import { DynamoDbStore } from "./dynamodb-store";
import { AssumeRoleClientProvider, LocalClientProvider, type MemberClientProvider } from "./member-clients";
import { AwsOrganizationLookup } from "./organization";
import { FileStore, type RemediationStore } from "./store";

export const DEFAULT_STATE_FILE = "bedrock-guardrail-actions.json";
export const EXTERNAL_ID_ENV = "BEDROCK_GUARDRAIL_EXTERNAL_ID";

export interface StoreOptions {
  stateFile?: string;
  table?: string;
}

export interface AwsOptions extends StoreOptions {
  /** commander's --no-assume-role sets this to false. */
  assumeRole?: boolean;
  externalId?: string;
  topicArn?: string;
}

export function storeFor(g: Guardrail, o: StoreOptions, cwd: string): RemediationStore {
  if (o.table) return new DynamoDbStore(new DynamoDBClient(clientConfig({ region: g.config.aws.region })), o.table);
  return new FileStore(path.resolve(cwd, o.stateFile ?? DEFAULT_STATE_FILE));
}

export function memberClientsFor(g: Guardrail, o: AwsOptions, env: NodeJS.ProcessEnv): MemberClientProvider {
  const homeRegion = g.config.aws.region;
  if (o.assumeRole === false) return new LocalClientProvider(homeRegion);
  return new AssumeRoleClientProvider({
    sts: new STSClient(clientConfig({ region: homeRegion })),
    memberRoleName: g.config.remediation.memberRoleName,
    // The same external id the StackSet's trust policy requires (monitor.memberRoleExternalId) unless overridden.
    externalId: o.externalId ?? env[EXTERNAL_ID_ENV] ?? g.config.monitor.memberRoleExternalId,
    homeRegion,
    sessionName: "bedrock-guardrail-cli",
  });
}

export function organizationFor(g: Guardrail): AwsOrganizationLookup {
  // Organizations is global: its API lives in one region per partition.
  return new AwsOrganizationLookup(
    new OrganizationsClient(clientConfig({ region: globalServiceRegion(g.partition, "organizations") })),
    g.config.organization.managementAccountId,
  );
}

export function notifierFor(g: Guardrail, o: AwsOptions): Notifier | undefined {
  return o.topicArn
    ? new SnsNotifier(
        new SNSClient(clientConfig({ region: parseArn(o.topicArn)?.region || g.config.aws.region })),
        o.topicArn,
      )
    : undefined;
}

/**
 * ArnLike patterns for the caller: an IAM user's ARN as is; for an assumed role, the role ARN
 * with or without a path (the STS ARN does not carry the path).
 */
export function selfPatterns(callerArn: string): string[] {
  const p = parseArn(callerArn);
  if (!p) return [];
  const m = p.resource.match(/^assumed-role\/([^/]+)\//);
  if (p.service === "sts" && m)
    return [`arn:${p.partition}:iam::${p.account}:role/${m[1]}`, `arn:${p.partition}:iam::${p.account}:role/*/${m[1]}`];
  return [callerArn];
}

export async function callerArn(g: Guardrail): Promise<string | undefined> {
  const r = await new STSClient(clientConfig({ region: g.config.aws.region })).send(new GetCallerIdentityCommand({}));
  return r.Arn;
}
