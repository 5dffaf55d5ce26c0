/**
 * The runtime part of the backend registry (the names are in src/config/backends.ts): for each
 * backend the scheduled job can read from, the query source that reads it and the permissions that
 * source declares (the query job's role is generated from them, src/infra/declarations.ts).
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { parseArn } from "../../arn/arn-like";
import type { MonitorBackend } from "../../config/backends";
import type { Guardrail } from "../../guardrail/guardrail";
import { clientConfig, type ClientOverrides } from "../../aws/clients";
import type { PermissionDeclaration } from "../../aws/permissions";
import { buildAthenaCorrelationQuery } from "../../detection/backends/athena-sql";
import { buildLakeCorrelationQuery, type CorrelationQueryOptions } from "../../detection/backends/correlation-sql";
import {
  buildLogsInsightsCorrelationRowsQuery,
  logsInsightsCorrelationRange,
  logsInsightsCorrelationRules,
} from "../../detection/backends/logs-insights-correlation";
import { AthenaQuerySource, athenaQueryPermissions } from "./athena";
import { LAKE_QUERY_PERMISSIONS, LakeQuerySource } from "./lake";
import { LOGS_QUERY_PERMISSIONS, LogsInsightsQuerySource } from "./logs-insights";
import type { PollSettings, QuerySource } from "./source";
import {
  EVENT_DATA_STORE_READ_PERMISSIONS,
  readEventDataStore,
  readTrail,
  TRAIL_READ_PERMISSIONS,
} from "../../aws/cloudtrail-sources";
import {
  eventDataStoreLiveness,
  type SourceLivenessCheck,
  type TrailDestination,
  trailLiveness,
} from "../source-liveness";

/** Where one backend reads: the event data store (cloudtrail-lake) or the log groups (cloudwatch-logs). */
export interface SourceSpec {
  backend: MonitorBackend;
  eventDataStoreArn?: string;
  logGroups?: string[];
}

interface MonitorSourceEntry {
  /** What the source calls in AWS. `trailEncrypted`: the trail's files are SSE-KMS encrypted (Athena reads them). */
  permissions(options: { trailEncrypted: boolean }): PermissionDeclaration[];
  create(guardrail: Guardrail, spec: SourceSpec, overrides: ClientOverrides, poll?: PollSettings): QuerySource;
  /**
   * The source of the rows the correlation rules need for a window (src/detection/backends/correlation-sql.ts),
   * where the backend can return them: every correlation rule on Lake and Athena, the threshold rules on
   * Logs Insights (src/detection/backends/logs-insights-correlation.ts); undefined when there are none.
   * `query.readBaseline`: with the new-term rules' baselines before the window (a first run's learning), or
   * without (the state store has them).
   */
  correlations?(
    guardrail: Guardrail,
    spec: SourceSpec,
    overrides: ClientOverrides,
    poll?: PollSettings,
    query?: CorrelationQueryOptions,
  ): QuerySource | undefined;
  /**
   * The drift check that the source still receives the rules' events (src/runtime/source-liveness.ts), and the
   * calls it makes; none where there is nothing to read (a trail-fed backend without monitor.trailArn).
   */
  liveness(guardrail: Guardrail, spec: SourceSpec, overrides: ClientOverrides): SourceLivenessCheck | undefined;
  livenessPermissions(options: { trail: boolean }): PermissionDeclaration[];
}

/** A trail is read in the Region its ARN names: an organization trail lives in its home Region. */
function trailClient(trailArn: string, overrides: ClientOverrides): CloudTrailClient {
  return new CloudTrailClient(clientConfig({ ...overrides, region: overrides.region ?? parseArn(trailArn)?.region }));
}

/** The organization trail's check, when monitor.trailArn names it, against where the backend reads its events. */
function trailCheck(guardrail: Guardrail, overrides: ClientOverrides, where: TrailDestination) {
  const arn = guardrail.config.monitor.trailArn;
  if (!arn) return undefined;
  const client = trailClient(arn, overrides);
  return trailLiveness(arn, (a) => readTrail(client, a), where, guardrail);
}

/** The trail's reads, when monitor.trailArn names one (`trail`). */
const trailPermissions = ({ trail }: { trail: boolean }): PermissionDeclaration[] =>
  trail ? TRAIL_READ_PERMISSIONS : [];

/**
 * The client for an event data store: a store is a resource of one Region and answers queries only there, so the
 * client goes to the Region its ARN names (monitor.cloudtrailLake.eventDataStoreArn may name a store outside
 * aws.region, where the query job runs) unless the caller chose one (run-once --region).
 */
function lakeClient(eventDataStoreArn: string, overrides: ClientOverrides): CloudTrailClient {
  const arnRegion = parseArn(eventDataStoreArn)?.region || undefined;
  return new CloudTrailClient(clientConfig({ ...overrides, region: overrides.region ?? arnRegion }));
}

export const MONITOR_SOURCES: Record<MonitorBackend, MonitorSourceEntry> = {
  "cloudtrail-lake": {
    permissions: () => LAKE_QUERY_PERMISSIONS,
    create(guardrail, spec, overrides, poll) {
      if (!spec.eventDataStoreArn) throw new Error("cloudtrail-lake backend needs an event data store ARN");
      return new LakeQuerySource({
        client: lakeClient(spec.eventDataStoreArn, overrides),
        guardrail,
        eventDataStoreArn: spec.eventDataStoreArn,
        poll,
      });
    },
    correlations(guardrail, spec, overrides, poll, query) {
      const eventDataStore = spec.eventDataStoreArn;
      if (!eventDataStore) throw new Error("cloudtrail-lake backend needs an event data store ARN");
      return new LakeQuerySource({
        client: lakeClient(eventDataStore, overrides),
        guardrail,
        eventDataStoreArn: eventDataStore,
        poll,
        statement: (w) => buildLakeCorrelationQuery(guardrail.correlationRules, { eventDataStore, ...w, ...query }),
      });
    },
    liveness(guardrail, spec, overrides) {
      const arn = spec.eventDataStoreArn;
      if (!arn) throw new Error("cloudtrail-lake backend needs an event data store ARN");
      const client = lakeClient(arn, overrides);
      return eventDataStoreLiveness(arn, (a) => readEventDataStore(client, a), guardrail);
    },
    livenessPermissions: () => EVENT_DATA_STORE_READ_PERMISSIONS,
  },
  "cloudwatch-logs": {
    permissions: () => LOGS_QUERY_PERMISSIONS,
    create: (guardrail, spec, overrides, poll) =>
      new LogsInsightsQuerySource({
        client: new CloudWatchLogsClient(clientConfig(overrides)),
        guardrail,
        logGroups: spec.logGroups ?? [],
        poll,
      }),
    // The threshold rules' events (not Logs Insights' grouped counts): the engine counts them, so the
    // findings cite their events and equal the other backends'. The other kinds do not run here.
    correlations(guardrail, spec, overrides, poll) {
      const rules = logsInsightsCorrelationRules(guardrail.correlationRules);
      if (rules.length === 0) return undefined;
      return new LogsInsightsQuerySource({
        client: new CloudWatchLogsClient(clientConfig(overrides)),
        guardrail,
        logGroups: spec.logGroups ?? [],
        poll,
        query: (limit) => buildLogsInsightsCorrelationRowsQuery(rules, { limit }),
        range: (window) => logsInsightsCorrelationRange(rules, window),
        correlationRules: rules,
      });
    },
    liveness: (guardrail, spec, overrides) =>
      trailCheck(guardrail, overrides, { kind: "logs", logGroups: spec.logGroups ?? [] }),
    livenessPermissions: trailPermissions,
  },
  athena: {
    permissions: athenaQueryPermissions,
    // Table, database and workgroup come from the bundled config (monitor.athena), like the rule itself.
    create: (guardrail, _spec, overrides, poll) =>
      new AthenaQuerySource({
        client: new AthenaClient(clientConfig(overrides)),
        guardrail,
        athena: guardrail.config.monitor.athena,
        poll,
      }),
    correlations: (guardrail, _spec, overrides, poll, query) => {
      const athena = guardrail.config.monitor.athena;
      return new AthenaQuerySource({
        client: new AthenaClient(clientConfig(overrides)),
        guardrail,
        athena,
        poll,
        statement: (w) =>
          buildAthenaCorrelationQuery(guardrail.correlationRules, {
            table: `${athena.database}.${athena.table}`,
            ...w,
            ...query,
          }),
      });
    },
    liveness(guardrail, _spec, overrides) {
      const { bucket, prefix } = guardrail.config.monitor.athena;
      return bucket ? trailCheck(guardrail, overrides, { kind: "s3", bucket, prefix }) : undefined;
    },
    livenessPermissions: trailPermissions,
  },
};
