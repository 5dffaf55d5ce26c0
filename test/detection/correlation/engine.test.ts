/** The reference semantics of correlation rules: order, determinism, exactly-once ids across runs, bounded state. */
import fc from "fast-check";
import { CorrelationEngine, correlate, correlateEvents, eventsOf } from "../../../src/detection/correlation/engine";
import { sortEvents } from "../../../src/detection/correlation/time-order";
import { archiveCorrelationFindings, correlationFinding } from "../../../src/detection/correlation/finding";
import { lookbackMs } from "../../../src/guardrail/correlation-rule";
import { guardrailFrom, MINIMAL_CONFIG } from "../../support/fixtures";
import { HISTORY_SPAN_MS, HISTORY_START_MS, historyArb } from "./histories";

const guardrail = guardrailFrom(MINIMAL_CONFIG);
const rules = guardrail.correlationRules;
const windowed = rules.filter((r) => r.kind !== "new-term");
const ids = (cs: { id: string }[]) => cs.map((c) => c.id).sort();

test("every shipped correlation kind fires on some generated histories", () => {
  const fired = new Set<string>();
  fc.assert(
    fc.property(historyArb, (history) => {
      for (const c of correlate(rules, history, { learnUntilMs: HISTORY_START_MS + 3600_000 })) fired.add(c.rule.id);
    }),
    { numRuns: 300, seed: 7 },
  );
  expect([...fired].sort()).toEqual(rules.map((r) => r.id).sort());
});

test("the same findings whatever order the records come in (the engine sorts by time, then id)", () => {
  fc.assert(
    fc.property(historyArb, fc.func(fc.integer()), (history, rank) => {
      const shuffled = [...history].sort((a, b) => rank(a.eventID) - rank(b.eventID));
      expect(correlate(rules, shuffled)).toEqual(correlate(rules, history));
    }),
    { numRuns: 100 },
  );
});

/** Where a run starting at `start` must look back to for a rule: its window's start, or one window back. */
const viewStart = (rule: (typeof rules)[number], start: number): number =>
  rule.kind === "threshold" || rule.kind === "value-count"
    ? Math.floor(start / lookbackMs(rule)) * lookbackMs(rule)
    : start - lookbackMs(rule);

test("runs that split the history, each looking back as far as its rule needs, report each finding once", () => {
  fc.assert(
    fc.property(historyArb, fc.array(fc.integer({ min: 1, max: HISTORY_SPAN_MS - 1 }), { maxLength: 6 }), (h, cuts) => {
      const bounds = [HISTORY_START_MS, ...cuts.map((c) => HISTORY_START_MS + c).sort((a, b) => a - b)];
      bounds.push(HISTORY_START_MS + HISTORY_SPAN_MS + 3600_000);
      for (const rule of windowed) {
        const whole = ids(correlate([rule], h));
        expect(new Set(whole).size).toBe(whole.length);
        const seen: string[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const [start, end] = [bounds[i], bounds[i + 1]];
          const view = h.filter((r) => {
            const t = Date.parse(String(r.eventTime));
            return t >= viewStart(rule, start) && t < end;
          });
          seen.push(...correlate([rule], view, { reportFromMs: start }).map((c) => c.id));
        }
        expect([rule.id, seen.sort()]).toEqual([rule.id, whole]);
      }
    }),
    { numRuns: 150 },
  );
});

test("threshold windows are aligned to the clock: 20 failures across a boundary are two windows of 10", () => {
  const probing = rules.find((r) => r.id === "bedrock-invocation-probing")!;
  const burst = (from: string) =>
    probing.tests[0].history.map((r, i) => ({
      ...r,
      eventTime: new Date(Date.parse(from) + i * 30_000).toISOString(),
    }));
  expect(correlate([probing], burst("2026-01-15T10:05:00Z"))).toEqual([]);
  const [inOne] = correlate([probing], burst("2026-01-15T10:00:00Z"));
  expect(inOne.windowStart).toBe("2026-01-15T10:00:00.000Z");
});

test("a sequence anchors on the latest first step: repeated enumeration, then invocations, is one finding", () => {
  const sequence = rules.find((r) => r.id === "bedrock-enumeration-then-invocation")!;
  const [listed, invoked] = sequence.tests[0].history;
  const at = (r: typeof listed, id: string, t: string) => ({ ...r, eventID: id, eventTime: t });
  const history = [
    at(listed, "a1", "2026-01-15T10:00:00Z"),
    at(listed, "a2", "2026-01-15T10:01:00Z"),
    at(invoked, "b1", "2026-01-15T10:02:00Z"),
    at(invoked, "b2", "2026-01-15T10:03:00Z"),
  ];
  const fired = correlate([sequence], history);
  expect(fired.map((c) => c.events.map((e) => e.id))).toEqual([["a2", "b1"]]);
});

test("a sequence whose enumeration and invocation share a second fires, whatever their event ids", () => {
  const sequence = rules.find((r) => r.id === "bedrock-enumeration-then-invocation")!;
  const [listed, invoked] = sequence.tests[0].history;
  const at = (r: typeof listed, id: string, t: string) => ({ ...r, eventID: id, eventTime: t });
  // CloudTrail's times are whole seconds: a script's listing and invocation often share one, and their ids are random.
  for (const [list, invoke] of [
    ["a", "b"],
    ["b", "a"],
  ]) {
    const fired = correlate(
      [sequence],
      [at(listed, list, "2026-01-15T10:00:00Z"), at(invoked, invoke, "2026-01-15T10:00:00Z")],
    );
    expect(fired.map((c) => c.events.map((e) => e.id))).toEqual([[list, invoke]]);
  }
  // The same second's listing is the latest first step: the burst is one finding, anchored on it.
  const burst = [
    at(listed, "f1", "2026-01-15T10:00:00Z"),
    at(invoked, "a", "2026-01-15T10:05:00Z"),
    at(listed, "z", "2026-01-15T10:05:00Z"),
    at(invoked, "b", "2026-01-15T10:06:00Z"),
  ];
  expect(correlate([sequence], burst).map((c) => c.events.map((e) => e.id))).toEqual([["z", "a"]]);
});

test("an instant of one event takes pushEvent's fast path to the same findings as pushInstant", () => {
  fc.assert(
    fc.property(historyArb, fc.integer({ min: 0, max: HISTORY_SPAN_MS }), (history, from) => {
      const options = { reportFromMs: HISTORY_START_MS + from, learnUntilMs: HISTORY_START_MS + 3600_000 };
      const events = eventsOf(rules, [...history, history[0]]);
      sortEvents(events);
      const [fast, general] = [new CorrelationEngine(rules, options), new CorrelationEngine(rules, options)];
      for (const event of events) expect(fast.pushEvent(event)).toEqual(general.pushInstant([event]));
      // correlateEvents takes lone events through pushEvent and shared seconds through pushInstant.
      const byInstant = new CorrelationEngine(rules, options);
      const times = [...new Set(events.map((e) => e.timeMs))];
      const expected = times.flatMap((t) => byInstant.pushInstant(events.filter((e) => e.timeMs === t)));
      expect(correlateEvents(rules, [...events], options)).toEqual(expected);
    }),
    { numRuns: 200 },
  );
});

test("findings cite every event that made them, with first and last time, credential and principal", () => {
  const probing = rules.find((r) => r.id === "bedrock-invocation-probing")!;
  const history = probing.tests.find((t) => t.expect)!.history;
  const [c] = correlate([probing], history);
  const f = correlationFinding(guardrail, c);
  expect(f.guardrail.correlation).toMatchObject({
    kind: "threshold",
    group: "access-key AKIAEXAMPLEEXAMPLE01",
    event_count: 20,
    first_time: "2026-01-15T10:00:00Z",
    last_time: "2026-01-15T10:09:00Z",
  });
  expect(f.guardrail.correlation?.event_ids).toEqual(history.map((r) => r.eventID));
  expect(f.event.id).toMatch(/^corr-[0-9a-f]{32}$/);
  expect(f.aws.cloudtrail.user_identity.access_key_id).toBe("AKIAEXAMPLEEXAMPLE01");
  expect(f.guardrail.principal_arn).toBe("arn:aws:iam::111122223333:user/ci-deploy");
  // A long-term key makes it high (the rule's severityByCredential).
  expect([f.guardrail.severity, f.event.risk_score]).toEqual(["high", 73]);
});

test("the root user's credentials rate as high as a long-term key in every rule that raises long-term keys", () => {
  const root = { type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" };
  for (const rule of rules.filter((r) => r.severityByCredential?.credentialKinds.includes("long-term-key"))) {
    for (const accessKeyId of ["AKIAEXAMPLEROOTKEY01", "ASIAEXAMPLEROOTSES01"]) {
      const history = rule.tests
        .find((t) => t.expect)!
        .history.map((r) => ({ ...r, userIdentity: { ...root, accessKeyId } }));
      const [c] = correlate([rule], history);
      const f = correlationFinding(guardrail, c);
      expect([rule.id, accessKeyId, f.guardrail.credential_kind, f.guardrail.severity]).toEqual([
        rule.id,
        accessKeyId,
        "root",
        "high",
      ]);
    }
  }
});

test("a Bedrock API key's calls are its principal's whatever their markers say; the finding keeps the key", () => {
  const apiKeyUser = {
    type: "IAMUser",
    arn: "arn:aws:iam::111122223333:user/BedrockAPIKey-q7r3",
    accountId: "111122223333",
    userName: "BedrockAPIKey-q7r3",
  };
  const call = (id: string, time: string, source: string, name: string, marks: Record<string, unknown>) => ({
    eventID: `00000000-0000-4000-9000-00000000000${id}`,
    eventTime: time,
    eventSource: source,
    eventName: name,
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: apiKeyUser,
    ...marks,
  });
  const sequence = rules.find((r) => r.id === "bedrock-enumeration-then-invocation")!;
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
    // The listing unmarked, the invocation marked (AWS documents the marker for runtime calls).
    ["unmarked listing", {}, { additionalEventData: { callWithBearerToken: true } }, "bedrock-api-key"],
    // The key type only on the listing: the finding says long-term, from the event that names it.
    [
      "typed listing",
      { requestParameters: { callWithBearerToken: true, bearerTokenType: "LONG_TERM" } },
      { additionalEventData: { callWithBearerToken: true } },
      "bedrock-api-key-long-term",
    ],
    // The marker only on the listing: the invocation's record alone would say a signed call ("none").
    [
      "unmarked invocation",
      { requestParameters: { callWithBearerToken: true, bearerTokenType: "ABSK" } },
      {},
      "bedrock-api-key-long-term",
    ],
  ];
  for (const [name, listingMarks, invocationMarks, kind] of cases) {
    const source = "bedrock-mantle.amazonaws.com";
    const history = [
      call("1", "2026-01-15T10:00:00Z", source, "ListModels", listingMarks),
      call("2", "2026-01-15T10:02:00Z", "bedrock.amazonaws.com", "InvokeModel", invocationMarks),
    ];
    const fired = correlate([sequence], history);
    expect([name, fired.map((c) => c.group)]).toEqual([name, [`principal ${apiKeyUser.arn}`]]);
    const f = correlationFinding(guardrail, fired[0]);
    expect([name, f.guardrail.credential_kind, f.guardrail.severity, f.event.risk_score]).toEqual([
      name,
      kind,
      "high",
      73,
    ]);
  }
});

test("an approved principal's correlation is still a finding, marked approved", () => {
  const approving = guardrailFrom({ approvedPrincipalArns: ["arn:aws:iam::111122223333:user/ci-deploy"] });
  const probing = rules.find((r) => r.id === "bedrock-invocation-probing")!;
  const [c] = correlate([probing], probing.tests.find((t) => t.expect)!.history);
  expect(correlationFinding(approving, c).guardrail.approved).toBe(true);
});

test("state stays bounded by the open windows over a long stream", () => {
  const engine = new CorrelationEngine(windowed);
  let peak = 0;
  for (let i = 0; i < 20_000; i++) {
    engine.push({
      eventID: `e${String(i).padStart(6, "0")}`,
      eventTime: new Date(HISTORY_START_MS + i * 30_000).toISOString(),
      eventSource: "bedrock.amazonaws.com",
      eventName: i % 2 ? "InvokeModel" : "ListFoundationModels",
      awsRegion: "us-east-1",
      userIdentity: { type: "IAMUser", arn: `arn:aws:iam::111122223333:user/u${i}`, accessKeyId: `AKIA${i}` },
    });
    peak = Math.max(peak, engine.openStates());
  }
  // One new credential every 30 s; the longest window is 60 minutes: about 120 open per rule, never 20,000.
  expect(peak).toBeLessThan(500);
});

test("records out of order are refused; a record delivered twice is counted once", () => {
  const engine = new CorrelationEngine(rules);
  const r = (id: string, t: string) => ({ eventID: id, eventTime: t, eventSource: "bedrock.amazonaws.com" });
  engine.push(r("b", "2026-01-15T10:00:00Z"));
  expect(engine.push(r("b", "2026-01-15T10:00:00Z"))).toEqual([]);
  expect(() => engine.push(r("a", "2026-01-15T10:00:00Z"))).toThrow(/out of order: a/);
  const probing = rules.find((x) => x.id === "bedrock-invocation-probing")!;
  const history = probing.tests.find((t) => t.expect)!.history;
  expect(correlate([probing], [...history.slice(1), history[1]])).toEqual([]);
});

test("a hunt's window starts where it says: no finding before it, and the baseline is learned from it", () => {
  const sequence = rules.find((r) => r.id === "bedrock-enumeration-then-invocation")!;
  const firstUse = rules.find((r) => r.id === "bedrock-model-first-use")!;
  const [listed, invoked] = sequence.tests[0].history;
  const at = (r: typeof listed, id: string, t: string) => ({ ...r, eventID: id, eventTime: t });
  const from = Date.parse("2026-01-01T00:00:00Z");
  // A sequence completed before the window (its rows are the look-back), and a model first used 30 days and 10
  // minutes after the first look-back row: still in the 30 days learned from the window's start.
  const history = [
    at(listed, "a1", "2025-12-31T23:10:00Z"),
    at(invoked, "b1", "2025-12-31T23:20:00Z"),
    at(firstUse.tests[0].history[1], "c1", "2026-01-30T23:20:00Z"),
  ];
  expect(archiveCorrelationFindings(guardrail, history, undefined, from)).toEqual([]);
  const wholeArchive = archiveCorrelationFindings(guardrail, history).map((f) => f.rule.id);
  expect(wholeArchive).toEqual(["bedrock-enumeration-then-invocation", "bedrock-model-first-use"]);
});
