/**
 * The composition root: builds the real adapters (SDK clients with explicit retry settings) for the
 * Lambda handlers (src/handlers) and the commands (src/cli), which both wire from here. The only
 * module that knows which class implements which interface; nothing below it knows whether a
 * Lambda function or the command line runs.
 */
import * as path from "node:path";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { parseArn } from "../arn/arn-like";
import { globalServiceRegion, type Partition } from "../arn/partition";
import type { Guardrail } from "../guardrail/guardrail";
import { DynamoDbStore } from "../remediation/dynamodb-store";
import {
  AssumeRoleClientProvider,
  LocalClientProvider,
  type MemberClientProvider,
} from "../remediation/member-clients";
import { AwsOrganizationLookup, type OrganizationLookup, OrganizationMembership } from "../remediation/organization";
import type { UndoStore } from "../remediation/report";
import { RemediationResponder } from "../remediation/responder";
import { FileStore, type RemediationStore } from "../remediation/store";
import { clientConfig, type ClientOverrides } from "../aws/clients";
import { readOrganization } from "../aws/organizations";
import { type FindingImporter, SecurityHubImporter } from "../aws/securityhub";
import { listTopicSubscriptions, SnsNotifier } from "../aws/sns";
import { listEventDataStoresNamed, type NamedEventDataStore } from "../aws/tool-event-data-store";
import type { FindingResponder, Notifier } from "../aws/contracts";
import type { SubscriptionReader } from "../runtime/alert-subscriptions";
import type { OrganizationReader } from "../runtime/drift";
import type { SourceLivenessCheck } from "../runtime/source-liveness";
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

/**
 * The scheduled job's sources of the correlation rules' rows, where the backend has them and the
 * guardrail has correlation rules; undefined otherwise (the job then runs the event rules only).
 * `correlations` reads the window and the rules' look-backs (new-term baselines are in the state
 * store); `correlationBaseline` also reads each new-term rule's baseline days, for its first run.
 */
export function makeCorrelationSources(
  guardrail: Guardrail,
  spec: SourceSpec,
  overrides: ClientOverrides = {},
  poll?: PollSettings,
): { correlations?: QuerySource; correlationBaseline?: QuerySource } {
  const entry = MONITOR_SOURCES[spec.backend];
  if (guardrail.correlationRules.length === 0 || !entry.correlations) return {};
  const correlations = entry.correlations(guardrail, spec, overrides, poll, { readBaseline: false });
  if (!correlations) return {};
  const rules = correlations.correlationRules ?? guardrail.correlationRules;
  if (!rules.some((r) => r.kind === "new-term")) return { correlations };
  return {
    correlations,
    correlationBaseline: entry.correlations(guardrail, spec, overrides, poll, { readBaseline: true }),
  };
}

export function makeStateStore(tableName: string, overrides: ClientOverrides = {}): StateStore {
  return new DynamoStateStore(new DynamoDBClient(clientConfig(overrides)), tableName);
}

export function makeNotifier(topicArn: string, overrides: ClientOverrides = {}): Notifier {
  return new SnsNotifier(new SNSClient(clientConfig(overrides)), topicArn);
}

/** Lists the alert topic's subscriptions for the drift check. */
export function makeSubscriptionReader(topicArn: string, overrides: ClientOverrides = {}): SubscriptionReader {
  const client = new SNSClient(clientConfig(overrides));
  return () => listTopicSubscriptions(client, topicArn);
}

/** The drift check that the job's event data store or organization trail still receives the rules' events. */
export function makeSourceLivenessCheck(
  guardrail: Guardrail,
  spec: SourceSpec,
  overrides: ClientOverrides = {},
): SourceLivenessCheck | undefined {
  return MONITOR_SOURCES[spec.backend].liveness(guardrail, spec, overrides);
}

/** The event data stores of `region` with a given name, and their tags (verify's look-up of the created store). */
export function makeEventDataStoreLookup(
  region: string,
  overrides: ClientOverrides = {},
): (name: string) => Promise<NamedEventDataStore[]> {
  const client = new CloudTrailClient(clientConfig({ region, ...overrides }));
  return (name) => listEventDataStoresNamed(client, name);
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

/**
 * The Organizations look-ups of one run (who the management account is, which OU an account is in, whether it is in
 * the organization): make one per run and give it to everything of that run that asks (AwsOrganizationLookup says why).
 */
export function makeOrganizationLookup(guardrail: Guardrail, overrides: ClientOverrides = {}): AwsOrganizationLookup {
  return new AwsOrganizationLookup(
    organizationsClient(guardrail.partition, overrides),
    guardrail.config.organization.managementAccountId,
  );
}

export function makeOrganizationReader(partition: Partition, overrides: ClientOverrides = {}): OrganizationReader {
  const client = organizationsClient(partition, overrides);
  return (names, slotsAt, coverage) => readOrganization(client, names, slotsAt, coverage);
}

export interface ResponderSpec {
  stateTableName: string;
  memberRoleName?: string;
  memberRoleExternalId?: string;
  notifier: Notifier;
  /**
   * The run's Organizations lookup, when the caller asks it too (the realtime path's membership checks): the
   * responder's modes and membership checks then share its answers. Default: one of the responder's own.
   */
  organization?: OrganizationLookup;
}

/** The remediation responder (src/remediation), which itself honours remediation.mode (off / dry-run / enforce). */
export function makeResponder(
  guardrail: Guardrail,
  spec: ResponderSpec,
  overrides: ClientOverrides = {},
): FindingResponder {
  const ddb = new DynamoDBClient(clientConfig(overrides));
  const organization = spec.organization ?? makeOrganizationLookup(guardrail, overrides);
  return new RemediationResponder({
    guardrail,
    store: new DynamoDbStore(ddb, spec.stateTableName),
    organization,
    clients: new AssumeRoleClientProvider({
      sts: new STSClient(clientConfig(overrides)),
      // The run's one lookup: the OU look-ups of the per-OU modes and this check ask each account once.
      membership: OrganizationMembership.of(organization),
      memberRoleName: spec.memberRoleName ?? guardrail.config.remediation.memberRoleName,
      externalId: spec.memberRoleExternalId,
      homeRegion: guardrail.config.aws.region,
    }),
    notifier: spec.notifier,
    // Its follow-up message's undo commands read the actions from this table.
    undoStore: { table: spec.stateTableName },
    execute: true,
    actor: "bedrock-guardrail monitor",
  });
}

/** The command line's audit file of `remediate --execute`, read by `undo`. */
export const DEFAULT_STATE_FILE = "bedrock-guardrail-actions.json";
/** The member role's external id for the command line (else monitor.memberRoleExternalId). */
export const EXTERNAL_ID_ENV = "BEDROCK_GUARDRAIL_EXTERNAL_ID";

/** Where `remediate` and `undo` keep the audit trail: the monitor's table, or a local JSON file. */
export interface StoreOptions {
  stateFile?: string;
  table?: string;
}

/** How `remediate` and `undo` reach the member accounts and where they report. */
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

/**
 * The command line's member-account clients: the member role assumed, or the local credentials as they
 * are, which act only in their own account (`callerAccount`; by default asked of STS when first needed).
 * The member role is assumed only in an account `organization` places in the organization (asked once per account).
 */
export function memberClientsFor(
  g: Guardrail,
  o: AwsOptions,
  env: NodeJS.ProcessEnv,
  callerAccount: () => Promise<string | undefined> = async () => (await callerIdentity(g)).account,
  organization: OrganizationLookup = makeOrganizationLookup(g),
): MemberClientProvider {
  const homeRegion = g.config.aws.region;
  if (o.assumeRole === false) return new LocalClientProvider(homeRegion, callerAccount);
  return new AssumeRoleClientProvider({
    sts: new STSClient(clientConfig({ region: homeRegion })),
    membership: OrganizationMembership.of(organization),
    memberRoleName: g.config.remediation.memberRoleName,
    // The same external id the StackSet's trust policy requires (monitor.memberRoleExternalId) unless overridden.
    externalId: o.externalId ?? env[EXTERNAL_ID_ENV] ?? g.config.monitor.memberRoleExternalId,
    homeRegion,
    sessionName: "bedrock-guardrail-cli",
  });
}

/** The topic `--topic-arn` names, in its own region (or the home region when the ARN names none). */
export function notifierFor(g: Guardrail, o: AwsOptions): Notifier | undefined {
  if (!o.topicArn) return undefined;
  return makeNotifier(o.topicArn, { region: parseArn(o.topicArn)?.region || g.config.aws.region });
}

/** Where `remediate`'s actions are recorded, for the undo commands its follow-up messages print. */
export function undoStoreFor(o: AwsOptions, cwd: string): UndoStore {
  return o.table ? { table: o.table } : { stateFile: path.resolve(cwd, o.stateFile ?? DEFAULT_STATE_FILE) };
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

/** Who runs the command (never remediated by itself: see selfPatterns) and the account its credentials belong to. */
export async function callerIdentity(g: Guardrail): Promise<{ arn?: string; account?: string }> {
  const r = await new STSClient(clientConfig({ region: g.config.aws.region })).send(new GetCallerIdentityCommand({}));
  return { arn: r.Arn, account: r.Account };
}

export async function callerArn(g: Guardrail): Promise<string | undefined> {
  return (await callerIdentity(g)).arn;
}
