/**
 * What each ResourceRef kind stands for in the monitor account. Pure: the caller passes the ARNs
 * (or tokens) of the resources its stack created and the partition/account/region it runs in.
 */
import { formatArn } from "../../arn/partition";
import type { ResourceArns } from "../iam/policy-document";
import { memberRoleArn } from "../../guardrail/guardrail";

export interface MonitorArnInputs {
  partition: string;
  accountId: string;
  region: string;
  /** Undefined when the backend is cloudwatch-logs. */
  eventDataStoreArn?: string;
  /** Log group names or ARNs from monitor.cloudwatchLogs.logGroups (empty for cloudtrail-lake). */
  logGroups: readonly string[];
  stateTableArn: string;
  alertTopicArn: string;
  alertKeyArn: string;
  memberRoleName: string;
  /** monitor.trailArn: the organization trail the drift check reads. */
  trailArn?: string;
  /** Security Hub import is on (monitor.securityHub.enabled). */
  securityHub?: boolean;
  /** The management account, when known; otherwise any account in the partition. */
  managementAccountId?: string;
}

/**
 * Logs Insights authorizes StartQuery/GetQueryResults on the log-group ARN, which IAM writes both
 * with and without the trailing `:*`; both forms are listed so either evaluation matches.
 */
function logGroupArns(partition: string, accountId: string, region: string, groups: readonly string[]): string[] {
  return groups.flatMap((g) => {
    const base = g.startsWith("arn:")
      ? g.replace(/:\*$/, "")
      : `arn:${partition}:logs:${region}:${accountId}:log-group:${g}`;
    return [base, `${base}:*`];
  });
}

/** The account's own product in Security Hub, the one custom findings are imported as. */
export function securityHubProductArn(partition: string, region: string, accountId: string): string {
  return formatArn({
    partition,
    service: "securityhub",
    region,
    account: accountId,
    resource: `product/${accountId}/default`,
  });
}

export function monitorResourceArns(i: MonitorArnInputs): ResourceArns {
  const org = `arn:${i.partition}:organizations::${i.managementAccountId ?? "*"}`;
  return {
    ...(i.eventDataStoreArn ? { "event-data-store": [i.eventDataStoreArn] } : {}),
    ...(i.logGroups.length > 0
      ? { "query-log-groups": logGroupArns(i.partition, i.accountId, i.region, i.logGroups) }
      : {}),
    ...(i.trailArn ? { "organization-trail": [i.trailArn] } : {}),
    "state-table": [i.stateTableArn],
    "alert-topic": [i.alertTopicArn],
    "alert-key": [i.alertKeyArn],
    // The SCP's ID is only known after the organization-policy stack is applied; its type is fixed.
    "guardrail-policy": [`${org}:policy/o-*/service_control_policy/p-*`],
    organization: [`${org}:root/o-*/r-*`, `${org}:ou/o-*/ou-*`, `${org}:account/o-*/*`],
    "member-role": [memberRoleArn(i.memberRoleName, { partition: i.partition })],
    ...(i.securityHub ? { "securityhub-product": [securityHubProductArn(i.partition, i.region, i.accountId)] } : {}),
  };
}
