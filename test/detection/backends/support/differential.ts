/**
 * The differential harness the SQL backends share (lake-sql and athena-sql differential tests): a
 * backend under test loads records into its DuckDB stand-in and says which event IDs its generated
 * query selects; the reference is the in-process matcher (`matchingRule`) over the same records and
 * window. Each backend's own tests add what only it has (partitions, delivery days, column shapes).
 */
import fc from "fast-check";
import { evaluateRecord, type Finding } from "../../../../src/detection/finding";
import { matchingRule } from "../../../../src/detection/match";
import { asString, type CloudTrailRecord, normalizeEventTime } from "../../../../src/detection/record";
import type { LakeRow } from "../../../../src/detection/backends/lake-sql";
import type { DetectionRule } from "../../../../src/guardrail/definition";
import { type Guardrail, selectRules } from "../../../../src/guardrail/guardrail";
import { batchArb, positives, WINDOW } from "./records";

export interface Window {
  start: string;
  end: string;
}

export interface SqlBackendUnderTest {
  /** A record as the backend's store holds it (the S3 archive, for one, has ISO-8601 times). */
  prepare(record: CloudTrailRecord): CloudTrailRecord;
  /** Replaces the stand-in's contents with these (prepared) records. */
  load(records: CloudTrailRecord[]): Promise<void>;
  /** The event IDs the backend's query for `guardrail` selects in the window, sorted. */
  ids(guardrail: Guardrail, window: Window): Promise<string[]>;
}

/** The event IDs the reference matcher selects among `records` in [start, end), sorted. */
export function matcherIds(guardrail: Guardrail, records: CloudTrailRecord[], window: Window): string[] {
  const [s, e] = [Date.parse(window.start), Date.parse(window.end)];
  return records
    .filter((r) => {
      const t = Date.parse(normalizeEventTime(r.eventTime)!);
      return t >= s && t < e && matchingRule(guardrail, r) !== undefined;
    })
    .map((r) => asString(r.eventID)!)
    .sort();
}

/**
 * Every rule's own examples: the query of the whole rule set and of each rule alone selects what
 * the matcher selects, each positive example and none of the negative ones.
 */
export async function expectRuleExamplesSelected(backend: SqlBackendUnderTest, guardrail: Guardrail): Promise<void> {
  const examples = guardrail.rules.flatMap((rule) => rule.tests.map((t) => backend.prepare(t.record)));
  await backend.load(examples);
  const all = { start: "2000-01-01T00:00:00Z", end: "2100-01-01T00:00:00Z" };
  expect(await backend.ids(guardrail, all)).toEqual(matcherIds(guardrail, examples, all));
  for (const rule of guardrail.rules) {
    const alone = selectRules(guardrail, [rule.id]);
    const ids = await backend.ids(alone, all);
    expect([rule.id, ids]).toEqual([rule.id, matcherIds(alone, examples, all)]);
    for (const t of rule.tests)
      expect([rule.id, t.name, ids.includes(asString(t.record.eventID)!)]).toEqual([rule.id, t.name, t.expect]);
  }
}

/**
 * Each rule alone over fast-check batches with the rule's positives planted at `positivesAt`: the
 * query selects what the matcher selects, and at least the planted positives.
 */
export async function expectEachRuleAloneSelected(
  backend: SqlBackendUnderTest,
  guardrail: Guardrail,
  options: { numRuns: number; positivesAt: string },
): Promise<void> {
  for (const rule of guardrail.rules) {
    const alone = selectRules(guardrail, [rule.id]);
    let selected = 0;
    await fc.assert(
      fc.asyncProperty(batchArb(guardrail, false, rule), async (batch) => {
        const records = [...batch, ...positives([rule], options.positivesAt)].map(backend.prepare);
        await backend.load(records);
        const ids = await backend.ids(alone, WINDOW);
        expect([rule.id, ids]).toEqual([rule.id, matcherIds(alone, records, WINDOW)]);
        selected += ids.length;
      }),
      { numRuns: options.numRuns },
    );
    expect([rule.id, selected >= options.numRuns * positives([rule], WINDOW.start).length]).toEqual([rule.id, true]);
  }
}

/**
 * Each row, mapped back to a record, gives the whole finding its original record gives (every key,
 * not a chosen few, so a field the query or the mapper drops fails here). Returns the findings.
 */
export function expectSameFindings(
  guardrail: Guardrail,
  rows: LakeRow[],
  toRecord: (row: LakeRow) => CloudTrailRecord,
  originals: CloudTrailRecord[],
): Finding[] {
  const byId = new Map(originals.map((r) => [asString(r.eventID), r]));
  const findings: Finding[] = [];
  for (const row of rows) {
    const rebuilt = toRecord(row);
    const evaluation = evaluateRecord(guardrail, rebuilt);
    expect(evaluation).toEqual(evaluateRecord(guardrail, byId.get(asString(rebuilt.eventID))!));
    if ("finding" in evaluation) findings.push(evaluation.finding);
  }
  return findings;
}

/**
 * The compared findings include the identities whose fields a store's columns can drop: an Identity
 * Center user (no ARN: only onBehalfOf names who acted), a role session with trusted identity
 * propagation, a service acting for an Identity Center user, and a Bedrock API key call.
 */
export function expectActingForCovered(findings: Finding[]): void {
  const has = (test: (f: Finding) => unknown) => findings.some((f) => Boolean(test(f)));
  const identity = (f: Finding) => f.aws.cloudtrail.user_identity;
  expect({
    identityCenterUser: has((f) => identity(f).type === "IdentityCenterUser" && f.user.id && f.guardrail.actor),
    trustedIdentityPropagation: has((f) => identity(f).type === "AssumedRole" && identity(f).on_behalf_of?.user_id),
    serviceForIdentityCenterUser: has((f) => identity(f).invoked_by && identity(f).on_behalf_of?.identity_store_arn),
    longTermApiKey: has((f) => f.guardrail.credential_kind === "bedrock-api-key-long-term"),
  }).toEqual({
    identityCenterUser: true,
    trustedIdentityPropagation: true,
    serviceForIdentityCenterUser: true,
    longTermApiKey: true,
  });
}

/**
 * Rules outside the rule set (records.ts `typedConditionRules`), each alone over batches focused on
 * it plus its examples: the backend selects what the matcher selects, and selects something.
 */
export async function expectExtraRulesSelected(
  backend: SqlBackendUnderTest,
  guardrail: Guardrail,
  rules: DetectionRule[],
  numRuns: number,
): Promise<void> {
  for (const rule of rules) {
    const alone: Guardrail = { ...guardrail, rules: [rule] };
    let selected = 0;
    await fc.assert(
      fc.asyncProperty(batchArb(guardrail, false, rule), async (batch) => {
        const examples = rule.tests.map((t, i) => ({ ...t.record, eventID: `ex-${i}`, eventTime: WINDOW.start }));
        const records = [...batch, ...examples].map(backend.prepare);
        await backend.load(records);
        const ids = await backend.ids(alone, WINDOW);
        expect([rule.id, ids]).toEqual([rule.id, matcherIds(alone, records, WINDOW)]);
        selected += ids.length;
      }),
      { numRuns },
    );
    expect([rule.id, selected > 0]).toEqual([rule.id, true]);
  }
}
