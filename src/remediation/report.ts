/**
 * How outcomes are shown: ndjson lines (one action per line), a table, and the follow-up SNS
 * message. Field names are documented in README.md "## Remediation".
 */
import type { Finding } from "../detection/finding";
import type { ActionOutcome } from "../aws/contracts";
import type { PlannedAction } from "./types";
import { isReversible } from "./actions";
import { shellWord } from "./shell-word";

/**
 * `region` of an action that runs in no single region: IAM is a global service (its calls act in
 * every region at once), and a manual step has no API call at all. A fixed word rather than the
 * finding's region, so a reader never takes an IAM change for one limited to that region.
 */
const GLOBAL_REGION = "global";

export interface OutcomeLine {
  finding_id: string;
  action_id: string;
  account_id: string;
  /** The region of a regional call (Bedrock), else GLOBAL_REGION. Always present. */
  region: string;
  api: string;
  kind: PlannedAction["kind"];
  target: string;
  principal_arn?: string;
  mode: ActionOutcome["mode"];
  status: ActionOutcome["status"];
  reason: string;
  steps?: string[];
}

export function outcomeLine(action: PlannedAction, outcome: ActionOutcome): OutcomeLine {
  return {
    finding_id: outcome.findingId,
    action_id: outcome.actionId,
    account_id: outcome.accountId,
    region: outcome.region ?? GLOBAL_REGION,
    api: outcome.api,
    kind: action.kind,
    target: outcome.target,
    ...(action.principalArn ? { principal_arn: action.principalArn } : {}),
    mode: outcome.mode,
    status: outcome.status,
    reason: outcome.reason,
    ...(action.steps ? { steps: action.steps } : {}),
  };
}

const MAX_BODY_BYTES = 250 * 1024;
const UNDO_PREFIX = "    undo: npx bedrock-guardrail undo --action-id ";

/**
 * Where `undo` reads the actions: the table `--table` names, or the state file of `--state-file`.
 * The follow-up's undo commands name it, so they work as printed: without it, `undo` reads
 * ./bedrock-guardrail-actions.json (the default state file), which holds none of the monitor's
 * actions. A table's region is the config's aws.region, as the monitor's.
 */
export type UndoStore = { table: string } | { stateFile: string };

const undoOption = (store: UndoStore | undefined): string =>
  !store ? "" : "table" in store ? ` --table ${shellWord(store.table)}` : ` --state-file ${shellWord(store.stateFile)}`;

/** SNS subject (at most 100 characters) and a body people can read, with the ndjson lines appended. */
export function notificationFor(
  finding: Finding,
  actions: { action: PlannedAction; outcome: ActionOutcome }[],
  undoStore?: UndoStore,
): { subject: string; body: string; attributes: Record<string, string> } {
  const counts = new Map<string, number>();
  for (const { outcome } of actions) counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  const subject = `bedrock-guardrail remediation: ${summary}`.slice(0, 100);
  const lines = [
    `Remediation for finding ${finding.event.id}: ${finding.message}`,
    "",
    ...actions.flatMap(({ action, outcome }) => [
      `- [${outcome.status}] ${outcome.api} ${outcome.target} in ` +
        `${outcome.accountId}${outcome.region ? ` ${outcome.region}` : ""} (mode ${outcome.mode}): ${outcome.reason}`,
      ...(action.steps ?? []).map((s) => `    * ${s}`),
      // An error partway changed something too: its undo reverses that part.
      ...((outcome.status === "ok" || outcome.changed) && isReversible(action.kind)
        ? [`${UNDO_PREFIX}${outcome.actionId}${undoOption(undoStore)}`]
        : []),
    ]),
    "",
    "Actions as JSON lines:",
    ...actions.map(({ action, outcome }) => JSON.stringify(outcomeLine(action, outcome))),
  ];
  let body = lines.join("\n");
  // SNS takes at most 256 KiB; the human part comes first, so cutting the tail keeps it readable.
  if (Buffer.byteLength(body) > MAX_BODY_BYTES)
    body = `${Buffer.from(body)
      .subarray(0, MAX_BODY_BYTES - 64)
      .toString("utf8")}\n... (truncated; the full record is in the state table)`;
  return { subject, body, attributes: { finding_id: finding.event.id, kind: "remediation" } };
}
