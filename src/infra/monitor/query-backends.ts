/**
 * The infrastructure part of the backend registry (the names are in src/config/backends.ts): what
 * the monitor stack deploys for the backend the scheduled job reads, the variables that tell the job
 * where to read (src/runtime/env.ts checks them), and how often it runs.
 */
import type { Construct } from "constructs";
import type { MonitorBackend } from "../../config/backends";
import type { Guardrail } from "../../guardrail/guardrail";
import { ENV } from "../../runtime/env";
import { runIntervalMinutes } from "../../runtime/window";
import type { ResourceArns } from "../iam/policy-document";
import { AthenaQueryInfra } from "./athena";
import { GuardrailEventStore } from "./event-store";

export interface QueryBackendInfra {
  /** The event data store the job queries (cloudtrail-lake): the configured one or the one created here. */
  eventDataStoreArn?: string;
  /** The organization trail's log groups (cloudwatch-logs). */
  logGroups: readonly string[];
  /** The Glue table, workgroup and results bucket (athena). */
  athena?: AthenaQueryInfra;
  /** ARNs of the resources created here that the job's declarations name. */
  resourceArns: ResourceArns;
  /** The query job's variables naming where it reads, besides BACKEND. */
  environment: Record<string, string>;
  /** Minutes between scheduled runs. */
  intervalMinutes: number;
}

export interface QueryBackendScope {
  guardrail: Guardrail;
  partition: string;
  accountId: string;
  region: string;
}

export const QUERY_BACKEND_INFRA: Record<
  MonitorBackend,
  (scope: Construct, where: QueryBackendScope) => QueryBackendInfra
> = {
  "cloudtrail-lake": (scope, { guardrail }) => {
    const lake = guardrail.config.monitor.cloudtrailLake;
    const eventDataStoreArn =
      lake.eventDataStoreArn ??
      new GuardrailEventStore(scope, "event-store", {
        rules: guardrail.rules,
        retentionDays: lake.retentionDays,
        terminationProtection: lake.terminationProtection,
      }).store.arn;
    return {
      eventDataStoreArn,
      logGroups: [],
      resourceArns: {},
      environment: { [ENV.eventDataStoreArn]: eventDataStoreArn },
      intervalMinutes: runIntervalMinutes(guardrail, "cloudtrail-lake"),
    };
  },
  "cloudwatch-logs": (_scope, { guardrail }) => {
    const { logGroups } = guardrail.config.monitor.cloudwatchLogs;
    const environment: Record<string, string> =
      logGroups.length > 0 ? { [ENV.logGroups]: JSON.stringify(logGroups) } : {};
    return {
      logGroups,
      resourceArns: {},
      environment,
      intervalMinutes: runIntervalMinutes(guardrail, "cloudwatch-logs"),
    };
  },
  athena: (scope, { guardrail, ...where }) => {
    const { athena } = guardrail.config.monitor;
    const infra = new AthenaQueryInfra(scope, "athena", { athena, ...where });
    return {
      logGroups: [],
      athena: infra,
      resourceArns: infra.resourceArns,
      environment: {},
      intervalMinutes: runIntervalMinutes(guardrail, "athena"),
    };
  },
};
