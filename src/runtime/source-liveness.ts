/**
 * Is the scheduled job's source still fed? Only break-glass and the admins may delete or edit the tool's resources,
 * but an existing event data store or the organization trail is the organization's (docs/limits.md): stopping its
 * ingestion or logging, or narrowing what it selects, blinds the job, whose runs then succeed with no findings and
 * keep the "no successful run" alarm quiet. So the drift check reads the source each run
 * (src/aws/cloudtrail-sources.ts) and reports what no longer feeds the job as `source-not-live` drift, one problem
 * per aspect, alerted once while it lasts; a source it cannot read is `read-failed`, never a failed run.
 */
import type { AdvancedEventSelector, EventSelector } from "@aws-sdk/client-cloudtrail";
import type { EventDataStoreView, TrailView } from "../aws/cloudtrail-sources";
import type { Guardrail } from "../guardrail/guardrail";
import { errorText } from "../errors/error-text";
import type { DriftProblem } from "./drift";

/** Checks the source at the run's time; the problems found (none: it is live). */
export type SourceLivenessCheck = (now: Date) => Promise<DriftProblem[]>;

/** A management event a rule reads: it must be selected for the rule to see it. */
interface WantedEvent {
  eventSource: string;
  eventName: string;
}

/** Every (event source, event name) the event rules read, the events the created store selects (event-store.ts). */
function wantedEvents(guardrail: Pick<Guardrail, "rules">): WantedEvent[] {
  const keys = new Set(guardrail.rules.flatMap((r) => r.eventNames.map((n) => `${r.eventSource} ${n}`)));
  return [...keys].map((k) => {
    const [eventSource, eventName] = k.split(" ");
    return { eventSource, eventName };
  });
}

/** The fields of a management event the check knows; a condition on any other field selects only some of them. */
const KNOWN_FIELDS = new Set(["eventCategory", "eventSource", "eventName"]);

/**
 * Whether an advanced event selector selects every such event (its field selectors are ANDed, and within one each
 * operator must hold). A condition on another field (readOnly, userIdentity.arn, ...) selects only some of them, so
 * it does not count: an attacker narrowing the store to leave out their own role must not pass.
 */
function selectsAll(selector: AdvancedEventSelector, event: WantedEvent): boolean {
  const values: Record<string, string> = { eventCategory: "Management", ...event };
  return (selector.FieldSelectors ?? []).every((f) => {
    const field = f.Field ?? "";
    if (!KNOWN_FIELDS.has(field)) return false;
    const v = values[field];
    return (
      (f.Equals === undefined || f.Equals.includes(v)) &&
      (f.StartsWith === undefined || f.StartsWith.some((p) => v.startsWith(p))) &&
      (f.EndsWith === undefined || f.EndsWith.some((p) => v.endsWith(p))) &&
      !(f.NotEquals ?? []).includes(v) &&
      !(f.NotStartsWith ?? []).some((p) => v.startsWith(p)) &&
      !(f.NotEndsWith ?? []).some((p) => v.endsWith(p))
    );
  });
}

/** A basic event selector selects every management event of a source: all of them, read and write, not excluded. */
function basicSelectsAll(selector: EventSelector, event: WantedEvent): boolean {
  return (
    selector.IncludeManagementEvents !== false &&
    (selector.ReadWriteType ?? "All") === "All" &&
    !(selector.ExcludeManagementEventSources ?? []).includes(event.eventSource)
  );
}

/** The wanted events no selector selects in full, as `source:name`, at most 5 named and the rest counted. */
function unselected(events: WantedEvent[], selects: (e: WantedEvent) => boolean): string | undefined {
  const missing = events.filter((e) => !selects(e)).map((e) => `${e.eventSource}:${e.eventName}`);
  if (missing.length === 0) return undefined;
  const more = missing.length > 5 ? ` and ${missing.length - 5} more` : "";
  return `${missing.slice(0, 5).join(", ")}${more}`;
}

function notLive(target: string, check: string, detail: string): DriftProblem {
  return { kind: "source-not-live", target, check, detail };
}

/** What keeps an event data store from feeding the job the rules' events. */
function eventDataStoreProblems(
  arn: string,
  store: EventDataStoreView,
  guardrail: Pick<Guardrail, "rules">,
): DriftProblem[] {
  const problems: DriftProblem[] = [];
  if (store.status !== "ENABLED")
    problems.push(
      notLive(
        arn,
        "status",
        `event data store ${arn} is ${store.status ?? "of no status"}, not ENABLED: it ingests no new events and the ` +
          "job finds nothing (StopEventDataStoreIngestion); start its ingestion again",
      ),
    );
  const missing = unselected(wantedEvents(guardrail), (e) =>
    store.advancedEventSelectors.some((s) => selectsAll(s, e)),
  );
  if (missing)
    problems.push(
      notLive(
        arn,
        "selectors",
        `event data store ${arn} no longer selects every management event the rules read (${missing}): its ` +
          "advanced event selectors were narrowed; select them again",
      ),
    );
  if (store.multiRegion !== true)
    problems.push(
      notLive(arn, "multi-region", `event data store ${arn} is not multi-Region: events of the other Regions are lost`),
    );
  if (store.organization !== true)
    problems.push(
      notLive(
        arn,
        "organization",
        `event data store ${arn} is not organization-wide: the member accounts' events are lost`,
      ),
    );
  return problems;
}

/** Where the job reads the trail's events: the archive's bucket and prefix (athena) or the log groups. */
export type TrailDestination =
  | { kind: "s3"; bucket: string; prefix?: string }
  | { kind: "logs"; logGroups: readonly string[] };

/** A log group's name from its name or ARN (`arn:...:log-group:<name>` with or without `:*`). */
function logGroupName(nameOrArn: string): string {
  const m = nameOrArn.match(/:log-group:(.+?)(:\*)?$/);
  return m ? m[1] : nameOrArn;
}

/** Whether the trail's log group is one the job reads: the same ARN, or the same name when configured by name. */
function readsLogGroup(logGroups: readonly string[], trailGroupArn: string): boolean {
  const base = trailGroupArn.replace(/:\*$/, "");
  return logGroups.some((g) => (g.startsWith("arn:") ? g.replace(/:\*$/, "") === base : g === logGroupName(base)));
}

/**
 * A delivery error counts once no delivery succeeded for this long: CloudTrail delivers every few minutes, and its
 * latest error need not be a current one when deliveries succeed again after it.
 */
const DELIVERY_STALE_MS = 30 * 60_000;

function deliveryProblem(arn: string, error: string | undefined, deliveredAt: Date | undefined, now: Date, to: string) {
  if (!error) return [];
  if (deliveredAt && now.getTime() - deliveredAt.getTime() < DELIVERY_STALE_MS) return [];
  const since = deliveredAt ? `since ${deliveredAt.toISOString()}` : "at all";
  return [
    notLive(arn, "delivery", `trail ${arn} has not delivered to ${to} ${since}: its latest delivery error is ${error}`),
  ];
}

function destinationProblems(arn: string, trail: TrailView, where: TrailDestination, now: Date): DriftProblem[] {
  if (where.kind === "s3") {
    const prefix = trail.s3KeyPrefix || undefined;
    const moved = trail.s3BucketName !== where.bucket || prefix !== (where.prefix || undefined);
    const to = `s3://${where.bucket}/${where.prefix ? `${where.prefix}/` : ""}`;
    return moved
      ? [
          notLive(
            arn,
            "destination",
            `trail ${arn} delivers to s3://${trail.s3BucketName ?? "(none)"}/${prefix ? `${prefix}/` : ""}, not to ` +
              `${to} where the job reads (monitor.athena.bucket, prefix)`,
          ),
        ]
      : deliveryProblem(arn, trail.deliveryError, trail.deliveredAt, now, to);
  }
  if (!trail.logGroupArn || !readsLogGroup(where.logGroups, trail.logGroupArn))
    return [
      notLive(
        arn,
        "destination",
        `trail ${arn} delivers to ${trail.logGroupArn ? `log group ${trail.logGroupArn}` : "no log group"}, not to ` +
          "one the job reads (monitor.cloudwatchLogs.logGroups)",
      ),
    ];
  return deliveryProblem(arn, trail.logsDeliveryError, trail.logsDeliveredAt, now, `log group ${trail.logGroupArn}`);
}

/** What keeps the organization trail from feeding the job the rules' events where it reads them. */
function trailProblems(
  arn: string,
  trail: TrailView,
  where: TrailDestination,
  guardrail: Pick<Guardrail, "rules">,
  now: Date,
): DriftProblem[] {
  const problems: DriftProblem[] = [];
  if (trail.isLogging !== true)
    problems.push(
      notLive(arn, "logging", `trail ${arn} is not logging (StopLogging): it records no events; start logging again`),
    );
  // A trail has either kind of selectors; advanced ones are evaluated as an event data store's.
  const selects = (e: WantedEvent) =>
    trail.advancedEventSelectors.some((s) => selectsAll(s, e)) ||
    trail.eventSelectors.some((s) => basicSelectsAll(s, e));
  const missing = unselected(wantedEvents(guardrail), selects);
  if (missing)
    problems.push(
      notLive(
        arn,
        "selectors",
        `trail ${arn} no longer logs every management event the rules read (${missing}): its event selectors ` +
          "were narrowed (PutEventSelectors); log all read and write management events again",
      ),
    );
  if (trail.multiRegion !== true)
    problems.push(
      notLive(arn, "multi-region", `trail ${arn} is not multi-Region: events of the other Regions are lost`),
    );
  if (trail.organization !== true)
    problems.push(
      notLive(arn, "organization", `trail ${arn} is not an organization trail: the member accounts' events are lost`),
    );
  return [...problems, ...destinationProblems(arn, trail, where, now)];
}

/** A source the check cannot read: one problem that says so and why, never a failed run. */
function unreadable(arn: string, what: string, e: unknown): DriftProblem[] {
  return [
    {
      kind: "read-failed",
      target: arn,
      detail:
        `drift check could not read ${what} ${arn}, so it cannot tell whether the job's source is live: ` +
        errorText(e),
    },
  ];
}

/**
 * What the check found at `now`; one that throws (it should not: each read's failure is its problem) is one
 * read-failed problem, never a failed run. The scheduled job's drift step and `verify` both go through here.
 */
export async function sourceLivenessProblems(check: SourceLivenessCheck, now: Date): Promise<DriftProblem[]> {
  try {
    return await check(now);
  } catch (e) {
    return [
      { kind: "read-failed", target: "source", detail: `drift check could not check the source: ${errorText(e)}` },
    ];
  }
}

/** The check of an event data store (cloudtrail-lake). */
export function eventDataStoreLiveness(
  arn: string,
  read: (arn: string) => Promise<EventDataStoreView>,
  guardrail: Pick<Guardrail, "rules">,
): SourceLivenessCheck {
  return async () => {
    let store: EventDataStoreView;
    try {
      store = await read(arn);
    } catch (e) {
      return unreadable(arn, "event data store", e);
    }
    return eventDataStoreProblems(arn, store, guardrail);
  };
}

/** The check of the organization trail (athena, cloudwatch-logs with monitor.trailArn). */
export function trailLiveness(
  arn: string,
  read: (arn: string) => Promise<TrailView>,
  where: TrailDestination,
  guardrail: Pick<Guardrail, "rules">,
): SourceLivenessCheck {
  return async (now) => {
    let trail: TrailView;
    try {
      trail = await read(arn);
    } catch (e) {
      return unreadable(arn, "trail", e);
    }
    return trailProblems(arn, trail, where, guardrail, now);
  };
}
