/**
 * Shared by the first-use (new-term) monitor tests: an invocation record by a role, and a simulated
 * correlation source that returns what the exact correlation query returns (the DuckDB differential
 * tests prove the SQL does): the records before the window's end, from its start or, for the
 * learning source, from the baseline days before it.
 */
import type { CloudTrailRecord } from "../../src/detection/record";
import type { QueryResult, QuerySource } from "../../src/runtime/query/source";
import type { QueryWindow } from "../../src/runtime/window";

const DAY_MS = 86_400_000;
export const BYTES_PER_ROW = 1000;

export interface Invocation {
  /** Numbered into an eventID. */
  n: number;
  /** ISO eventTime. */
  time: string;
  roleArn: string;
  model: string;
  eventName?: string;
  errorCode?: string;
}

/** A Bedrock invocation by an assumed role (the principal group is the role ARN). */
export function invocation(i: Invocation): CloudTrailRecord {
  const [, , , , account, resource] = i.roleArn.split(":");
  const role = resource.split("/").pop();
  return {
    eventID: `00000000-0000-4000-8000-${String(i.n).padStart(12, "0")}`,
    eventTime: i.time,
    eventSource: "bedrock.amazonaws.com",
    eventName: i.eventName ?? "InvokeModel",
    awsRegion: "us-east-1",
    recipientAccountId: account,
    userIdentity: {
      type: "AssumedRole",
      arn: `arn:aws:sts::${account}:assumed-role/${role}/session`,
      accountId: account,
      accessKeyId: "ASIAEXAMPLEEXAMPLE03",
      sessionContext: { sessionIssuer: { type: "Role", arn: i.roleArn, accountId: account } },
    },
    requestParameters: { modelId: i.model },
    ...(i.errorCode ? { errorCode: i.errorCode } : {}),
  };
}

/** The records delivered so far, for a window (and `baselineDays` before it); remembers the windows asked. */
export function windowSource(
  delivered: readonly CloudTrailRecord[],
  baselineDays = 0,
): QuerySource & { windows: QueryWindow[] } {
  const windows: QueryWindow[] = [];
  return {
    backend: "cloudtrail-lake",
    windows,
    async run(window: QueryWindow): Promise<QueryResult> {
      windows.push(window);
      const from = window.start.getTime() - baselineDays * DAY_MS;
      const records = delivered.filter((r) => {
        const t = Date.parse(String(r.eventTime));
        return t >= from && t < window.end.getTime();
      });
      // A made-up price per row returned, so tests can tell what a run scanned.
      return { records, rows: records.length, bytesScanned: records.length * BYTES_PER_ROW, unreadable: [] };
    },
  };
}

/** The event rules' source of these tests: no single-event findings. */
export const NO_EVENTS: QuerySource = {
  backend: "cloudtrail-lake",
  run: async () => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
};
