/**
 * The StateStore contract: what the monitor's exactly-once promise (docs/monitor.md) needs from a
 * store, checked against every implementation (the in-memory double the job tests use, and
 * DynamoStateStore on DynamoDB Local; test/runtime/state-store.contract.test.ts runs both).
 * A new store capability gets its `describe` block here, so both stores are held to it at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import { type StateStore, type TermPair, UnreadableItem } from "../../src/runtime/state/store";
import { guardrailFrom } from "./fixtures";

/** One store under test, plus a look at what it persisted that the interface does not return. */
interface StateStoreUnderTest {
  store: StateStore;
  /** The dedupe record's TTL (epoch seconds) as stored, or undefined when it has none. */
  eventExpiresAt(eventId: string): Promise<number | undefined>;
  /** An alias's TTL (epoch seconds) as stored, or undefined when it has none or the store has no such alias. */
  aliasExpiresAt(alias: string): Promise<number | undefined>;
  /** A new-term pair's TTL (epoch seconds) as stored, or undefined when the store has no entry for it. */
  pairExpiresAt(job: string, pair: TermPair): Promise<number | undefined>;
  /** Puts a pending entry as a claim writes it, with no claim (what someone who may write the table can do). */
  putPendingEntry(job: string, finding: Finding): Promise<void>;
}

export interface StateStoreContractOptions {
  /** A fresh, empty store for each test. */
  open(): Promise<StateStoreUnderTest>;
  /** Paging only exists on a real engine: queues over 1 MB are checked where it applies. */
  pagesPastOneMegabyte: boolean;
}

const guardrail = guardrailFrom();
const SAMPLE = JSON.parse(
  fs.readFileSync(
    path.join(__dirname, "..", "..", "examples", "cloudtrail", "stratus__CreateFoundationModelAgreement.json"),
    "utf8",
  ),
) as CloudTrailRecord;

/** A real finding (the guardrail's own evaluation of a sample) with the given id and event time. */
function findingAt(eventId: string, eventTime: string, padding = 0): Finding {
  const record: CloudTrailRecord = {
    ...SAMPLE,
    eventID: eventId,
    eventTime,
    ...(padding ? { requestParameters: { ...(SAMPLE.requestParameters ?? {}), pad: "x".repeat(padding) } } : {}),
  };
  const e = evaluateRecord(guardrail, record);
  if (!("finding" in e)) throw new Error(`sample does not produce a finding: ${e.skip}`);
  return e.finding;
}

const JOB = "query-job";
const T0 = "2026-07-01T00:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const pendingItem = (f: Finding) => ({ eventId: f.event.id, eventTime: f["@timestamp"], finding: f });

export function stateStoreContract(name: string, options: StateStoreContractOptions): void {
  describe(`StateStore contract: ${name}`, () => {
    let s: StateStore;
    let underTest: StateStoreUnderTest;
    beforeEach(async () => {
      underTest = await options.open();
      s = underTest.store;
    });

    describe("claim", () => {
      it("records a finding once: the first claim is new, every later one (any job) a duplicate", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        expect(await s.claim(JOB, f)).toBe("new");
        expect(await s.claim(JOB, f)).toBe("duplicate");
        expect(await s.claim("other-job", f)).toBe("duplicate");
        expect(await s.listPending(JOB)).toEqual([pendingItem(f)]);
        expect(await s.listPending("other-job")).toEqual([]);
      });

      it("keeps an alert-only reason with the pending item for the run that drains it, none unless given", async () => {
        const f = findingAt("e-ao", "2026-07-01T00:01:00Z");
        const g = findingAt("e-plain", "2026-07-01T00:02:00Z");
        await s.claim(JOB, f, { alertOnly: "the principal's account is not in the organization", export: true });
        await s.claim(JOB, g);
        expect(await s.claim(JOB, f)).toBe("duplicate");
        expect(await s.listPending(JOB)).toEqual([
          { ...pendingItem(f), alertOnly: "the principal's account is not in the organization" },
          pendingItem(g),
        ]);
        // The export queue carries the finding only: Security Hub gets it either way.
        expect(await s.listExports(JOB)).toEqual([{ ...pendingItem(f), attempts: 0 }]);
      });

      it("two runs claiming the same finding at the same time: exactly one gets it", async () => {
        const f = findingAt("e-race", "2026-07-01T00:01:00Z");
        const results = await Promise.all([s.claim(JOB, f), s.claim(JOB, f), s.claim(JOB, f)]);
        expect(results.filter((r) => r === "new")).toHaveLength(1);
        expect(await s.listPending(JOB)).toHaveLength(1);
      });

      it("a claim after completion is still a duplicate (the dedupe record outlives the pending entry)", async () => {
        const f = findingAt("e-2", "2026-07-01T00:01:00Z");
        await s.claim(JOB, f);
        await s.lease("e-2", "run-a", at(0), at(15));
        await s.complete(JOB, pendingItem(f), "run-a", 4_000_000_000);
        expect(await s.claim(JOB, f)).toBe("duplicate");
        expect(await s.listPending(JOB)).toEqual([]);
      });

      it("takes the aliases with the claim: a finding naming a taken one is a duplicate, writes nothing", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        const reanchored = findingAt("e-2", "2026-07-01T00:01:00Z");
        const other = findingAt("e-3", "2026-07-01T00:02:00Z");
        expect(await s.claim(JOB, f, { aliases: ["first-a1", "second-s"], export: true })).toBe("new");
        expect(await s.listPending(JOB)).toEqual([{ ...pendingItem(f), aliases: ["first-a1", "second-s"] }]);
        // Another id, one alias taken (by any job): nothing of it is written, its free alias stays free.
        expect(await s.claim(JOB, reanchored, { aliases: ["first-a2", "second-s"], export: true })).toBe("duplicate");
        expect(await s.claim("other-job", reanchored, { aliases: ["first-a1"] })).toBe("duplicate");
        expect(await s.listPending(JOB)).toHaveLength(1);
        expect(await s.listPending("other-job")).toEqual([]);
        expect(await s.listExports(JOB)).toHaveLength(1);
        expect(await s.claim(JOB, reanchored, { aliases: ["first-a2"] })).toBe("new");
        // Aliases are their own key space: one named like a claimed finding's id takes nothing from it.
        expect(await s.claim(JOB, other, { aliases: ["e-1"] })).toBe("new");
        expect(await s.claim(JOB, findingAt("e-4", "2026-07-01T00:03:00Z"), { aliases: ["e-1"] })).toBe("duplicate");
      });

      it("completion gives the aliases the dedupe record's TTL; they stay taken after it", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        await s.claim(JOB, f, { aliases: ["first-a1", "second-s"] });
        const [item] = await s.listPending(JOB);
        expect(await underTest.aliasExpiresAt("second-s")).toBeUndefined();
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.complete(JOB, item, "run-a", 4_000_000_123);
        expect(await underTest.aliasExpiresAt("first-a1")).toBe(4_000_000_123);
        expect(await underTest.aliasExpiresAt("second-s")).toBe(4_000_000_123);
        expect(await underTest.eventExpiresAt("e-1")).toBe(4_000_000_123);
        expect(await s.claim(JOB, findingAt("e-2", "2026-07-01T00:02:00Z"), { aliases: ["second-s"] })).toBe(
          "duplicate",
        );
      });
    });

    describe("lease", () => {
      it("throws UnreadableItem for an event nobody claimed: a pending entry of it is no claim's", async () => {
        // Not refused as held elsewhere: the drain would skip such an entry every run without a word.
        const leased = s.lease("never-claimed", "run-a", at(0), at(15));
        await expect(leased).rejects.toThrow(UnreadableItem);
        await expect(leased).rejects.toThrow("event never-claimed has no event record");
      });

      it("one holder at a time: a second run is refused while the lease runs, its holder may renew", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        expect(await s.lease("e-1", "run-a", at(0), at(15))).toBe("pending");
        expect(await s.lease("e-1", "run-b", at(1), at(16))).toBeUndefined();
        // the lease is still held at its last instant
        expect(await s.lease("e-1", "run-b", at(15), at(30))).toBeUndefined();
        expect(await s.lease("e-1", "run-a", at(2), at(17))).toBe("pending");
        expect(await s.lease("e-1", "run-b", at(16), at(31))).toBeUndefined();
      });

      it("a lease ending over a lease beyond one taken now is taken over, with a line; a nearer holds", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        await s.claim(JOB, findingAt("e-2", "2026-07-01T00:02:00Z"));
        const lines: string[] = [];
        // A holder whose clock runs 14 minutes ahead: its lease ends within a lease of the one run-b takes.
        expect(await s.lease("e-1", "run-ahead", at(14), at(29))).toBe("pending");
        expect(await s.lease("e-1", "run-b", at(0), at(15), (l) => lines.push(l))).toBeUndefined();
        // Ahead by more than that (forged, or a clock step): until then it would hold the event, unsaid.
        expect(await s.lease("e-2", "run-far", at(16), at(31))).toBe("pending");
        expect(await s.lease("e-2", "run-b", at(0), at(15), (l) => lines.push(l))).toBe("pending");
        expect(lines).toEqual([
          `event e-2: the lease of run-far until ${at(31)} ends more than a lease beyond one taken now (forged, or a ` +
            "clock far ahead) and holds nothing: taken over",
        ]);
        await expect(s.markPublished("e-2", "run-far")).rejects.toThrow();
        await s.markPublished("e-2", "run-b");
      });

      it("overlapping runs racing for one lease: exactly one wins", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        const owners = ["run-a", "run-b", "run-c", "run-d"];
        const got = await Promise.all(owners.map((o) => s.lease("e-1", o, at(0), at(15))));
        expect(got.filter((g) => g !== undefined)).toEqual(["pending"]);
      });

      it("expires: another run takes it over, and the old holder can neither publish nor complete", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        await s.claim(JOB, f);
        expect(await s.lease("e-1", "run-a", at(0), at(15))).toBe("pending");
        expect(await s.lease("e-1", "run-b", at(16), at(31))).toBe("pending");
        await expect(s.markPublished("e-1", "run-a")).rejects.toThrow();
        await expect(s.complete(JOB, pendingItem(f), "run-a", 4_000_000_000)).rejects.toThrow();
        expect(await s.listPending(JOB)).toEqual([pendingItem(f)]);
        await s.markPublished("e-1", "run-b");
        await s.complete(JOB, pendingItem(f), "run-b", 4_000_000_000);
        expect(await s.listPending(JOB)).toEqual([]);
      });

      it("is given back by its holder only; a released event can be leased at once", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.release("e-1", "run-b");
        expect(await s.lease("e-1", "run-b", at(1), at(16))).toBeUndefined();
        await s.release("e-1", "run-a");
        expect(await s.lease("e-1", "run-b", at(1), at(16))).toBe("pending");
      });

      it("reports published to the next holder, so a crash after publishing does not publish twice", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.markPublished("e-1", "run-a");
        expect(await s.lease("e-1", "run-b", at(16), at(31))).toBe("published");
      });

      it("is refused once the event is done, saying so", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        await s.claim(JOB, f);
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.complete(JOB, pendingItem(f), "run-a", 4_000_000_000);
        expect(await s.lease("e-1", "run-a", at(1), at(16))).toBe("done");
        expect(await s.lease("e-1", "run-b", at(20), at(35))).toBe("done");
      });

      it("removes a pending entry only while its event is done, and says when there was none", async () => {
        const [done, pending] = [findingAt("e-1", "2026-07-01T00:01:00Z"), findingAt("e-2", "2026-07-01T00:02:00Z")];
        await s.claim(JOB, done);
        await s.claim(JOB, pending);
        expect(await s.removeDonePending(JOB, pendingItem(pending))).toBe(false);
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.complete(JOB, pendingItem(done), "run-a", 4_000_000_000);
        // Completed since a run listed it: nothing to remove.
        expect(await s.removeDonePending(JOB, pendingItem(done))).toBe(false);
        // Put back with no claim: removed.
        await underTest.putPendingEntry(JOB, done);
        expect(await s.listPending(JOB)).toEqual([pendingItem(done), pendingItem(pending)]);
        expect(await s.removeDonePending(JOB, pendingItem(done))).toBe(true);
        expect(await s.listPending(JOB)).toEqual([pendingItem(pending)]);
        expect(await s.lease("e-2", "run-a", at(0), at(15))).toBe("pending");
      });
    });

    describe("mark published and complete", () => {
      it("marks published only for the lease holder, and only once", async () => {
        await s.claim(JOB, findingAt("e-1", "2026-07-01T00:01:00Z"));
        await expect(s.markPublished("e-1", "run-a")).rejects.toThrow();
        await s.lease("e-1", "run-a", at(0), at(15));
        await expect(s.markPublished("e-1", "run-b")).rejects.toThrow();
        await s.markPublished("e-1", "run-a");
        await expect(s.markPublished("e-1", "run-a")).rejects.toThrow();
      });

      it("completes for the holder only: done, out of the pending list, with the TTL attribute", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        const g = findingAt("e-2", "2026-07-01T00:02:00Z");
        await s.claim(JOB, f);
        await s.claim(JOB, g);
        await s.lease("e-1", "run-a", at(0), at(15));
        await expect(s.complete(JOB, pendingItem(f), "run-b", 4_000_000_000)).rejects.toThrow();
        expect(await underTest.eventExpiresAt("e-1")).toBeUndefined();
        await s.complete(JOB, pendingItem(f), "run-a", 4_000_000_123);
        expect(await s.listPending(JOB)).toEqual([pendingItem(g)]);
        expect(await underTest.eventExpiresAt("e-1")).toBe(4_000_000_123);
        expect(await underTest.eventExpiresAt("e-2")).toBeUndefined();
      });
    });

    describe("watermark", () => {
      it("starts unset, moves forward per job, never backwards", async () => {
        expect(await s.getWatermark(JOB)).toBeUndefined();
        await s.advanceWatermark(JOB, at(10));
        expect(await s.getWatermark(JOB)).toBe(at(10));
        await s.advanceWatermark(JOB, at(5));
        expect(await s.getWatermark(JOB)).toBe(at(10));
        await s.advanceWatermark(JOB, at(10));
        await s.advanceWatermark(JOB, at(20));
        expect(await s.getWatermark(JOB)).toBe(at(20));
        expect(await s.getWatermark("other-job")).toBeUndefined();
      });

      it("two overlapping runs advancing at once: the further one wins", async () => {
        await Promise.all([s.advanceWatermark(JOB, at(30)), s.advanceWatermark(JOB, at(25))]);
        expect(await s.getWatermark(JOB)).toBe(at(30));
      });
    });

    describe("pending and export queues", () => {
      it("lists pending oldest first whatever the claim order, one entry per event", async () => {
        const times = ["2026-07-01T00:09:00Z", "2026-07-01T00:01:00Z", "2026-07-01T00:05:00Z"];
        const findings = times.map((t, i) => findingAt(`e-${i}`, t));
        for (const f of findings) await s.claim(JOB, f);
        const listed = await s.listPending(JOB);
        expect(listed.map((p) => p.eventTime)).toEqual([...listed.map((p) => p.eventTime)].sort());
        expect(listed.map((p) => p.eventId)).toEqual(["e-1", "e-2", "e-0"]);
        expect(listed[0].finding).toEqual(findings[1]);
      });

      it("queues for Security Hub only when asked, in the claim's own write", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        const g = findingAt("e-2", "2026-07-01T00:00:30Z");
        await s.claim(JOB, f, { export: true });
        await s.claim(JOB, g);
        expect(await s.listExports(JOB)).toEqual([{ ...pendingItem(f), attempts: 0 }]);
        // a duplicate claim does not queue again
        await s.claim(JOB, g, { export: true });
        expect(await s.listExports(JOB)).toHaveLength(1);
      });

      it("keeps a refused export with its attempts and reason; an accepted one leaves for good", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        const g = findingAt("e-2", "2026-07-01T00:00:30Z");
        await s.claim(JOB, f, { export: true });
        await s.claim(JOB, g, { export: true });
        const [first, second] = await s.listExports(JOB);
        expect([first.eventId, second.eventId]).toEqual(["e-2", "e-1"]);
        await s.recordExportFailure(JOB, second, "InvalidInput: refused");
        await s.recordExportFailure(JOB, second, "InvalidInput: refused again");
        expect((await s.listExports(JOB))[1]).toMatchObject({ attempts: 2, lastError: "InvalidInput: refused again" });
        await s.completeExport(JOB, first);
        await s.completeExport(JOB, first);
        // an overlapping run recording a failure for an entry already exported does not bring it back
        await s.recordExportFailure(JOB, first, "late");
        expect((await s.listExports(JOB)).map((e) => e.eventId)).toEqual(["e-1"]);
      });

      it("the export queue is independent of completion, and completion of the export queue", async () => {
        const f = findingAt("e-1", "2026-07-01T00:01:00Z");
        await s.claim(JOB, f, { export: true });
        await s.lease("e-1", "run-a", at(0), at(15));
        await s.complete(JOB, pendingItem(f), "run-a", 4_000_000_000);
        expect(await s.listExports(JOB)).toHaveLength(1);
        expect(await s.listPending(JOB)).toEqual([]);
      });

      if (options.pagesPastOneMegabyte) {
        it("reads every page of a queue past 1 MB, in order", async () => {
          // ~200 KB per finding: 8 of them are 1.6 MB, more than one Query page can return
          const findings = Array.from({ length: 8 }, (_, i) =>
            findingAt(`e-${i}`, `2026-07-01T00:0${7 - i}:00Z`, 200_000),
          );
          for (const f of findings) await s.claim(JOB, f, { export: true });
          const pending = await s.listPending(JOB);
          expect(pending.map((p) => p.eventId)).toEqual(findings.map((f) => f.event.id).reverse());
          expect(pending[7].finding).toEqual(findings[0]);
          expect((await s.listExports(JOB)).map((p) => p.eventId)).toEqual(pending.map((p) => p.eventId));
        });
      }
    });

    describe("new-term baselines", () => {
      const RULE = "bedrock-model-first-use";
      const pair = (group: string, value: string): TermPair => ({ rule: RULE, group, value });
      const ROLE = "principal arn:aws:iam::111122223333:role/app";
      const claude = pair(ROLE, "anthropic.claude-3-sonnet-20240229-v1:0");
      const nova = pair(ROLE, "amazon.nova-pro-v1:0");
      // Far in the future: DynamoDB Local deletes an item about a second after its TTL passes.
      const T = Date.parse("2046-07-01T00:00:00Z");
      const ttl = (ms: number) => Math.ceil(ms / 1000) + 30 * 86_400;
      const seen = (p: TermPair, ms: number) => ({ ...p, lastSeenMs: ms, expiresAt: ttl(ms) });

      it("finds only the pairs recorded, per job, rule, group and value, with their last-seen time", async () => {
        expect(await s.lookupSeen(JOB, [claude, nova])).toEqual([]);
        await s.recordSeen(JOB, [seen(claude, T)]);
        expect(await s.lookupSeen(JOB, [claude, nova])).toEqual([{ ...claude, lastSeenMs: T }]);
        expect(await s.lookupSeen("other-job", [claude])).toEqual([]);
        expect(await s.lookupSeen(JOB, [{ ...claude, rule: "other-rule" }])).toEqual([]);
        expect(await s.lookupSeen(JOB, [{ ...claude, group: `${ROLE}2` }])).toEqual([]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T));
        expect(await underTest.pairExpiresAt(JOB, nova)).toBeUndefined();
      });

      it("a pair seen again moves its last-seen time and TTL forward, never back", async () => {
        await s.recordSeen(JOB, [seen(claude, T)]);
        await s.recordSeen(JOB, [seen(claude, T + 20 * 86_400_000)]);
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T + 20 * 86_400_000 }]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T + 20 * 86_400_000));
        // an older window (an overlapping or repeated run) does not shorten the pair's life
        await s.recordSeen(JOB, [seen(claude, T + 86_400_000)]);
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T + 20 * 86_400_000 }]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T + 20 * 86_400_000));
      });

      it("a pair recorded again at its stored time takes the TTL given (a changed baseline window)", async () => {
        await s.recordSeen(JOB, [seen(claude, T)]);
        await s.recordSeen(JOB, [{ ...claude, lastSeenMs: T, expiresAt: ttl(T) + 30 * 86_400 }]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T) + 30 * 86_400);
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T }]);
      });

      it("overlapping runs recording one pair at once: the latest time wins", async () => {
        const times = [T + 3000, T + 1000, T + 4000, T + 2000];
        await Promise.all(times.map((t) => s.recordSeen(JOB, [seen(nova, t)])));
        expect(await s.lookupSeen(JOB, [nova])).toEqual([{ ...nova, lastSeenMs: T + 4000 }]);
      });

      it("looks up many pairs at once (more than one batch), ARNs and model ids of any length", async () => {
        const many = Array.from({ length: 250 }, (_, i) =>
          pair(`principal arn:aws:iam::111122223333:role/${"r".repeat(i % 3 === 0 ? 1500 : 10)}${i}`, `m${i}`),
        );
        const long = pair(ROLE, `arn:aws:bedrock:us-east-1:111122223333:inference-profile/${"x".repeat(2000)}`);
        const recorded = [...many.filter((_, i) => i % 2 === 0), long];
        await s.recordSeen(
          JOB,
          recorded.map((p, i) => seen(p, T + i)),
        );
        const found = await s.lookupSeen(JOB, [...many, long, ...many.slice(0, 3)]);
        const byValue = (a: { value: string }, b: { value: string }) => (a.value < b.value ? -1 : 1);
        expect(found.sort(byValue)).toEqual(recorded.map((p, i) => ({ ...p, lastSeenMs: T + i })).sort(byValue));
      });

      it("a first use's claim records its pair in the same write", async () => {
        const first = findingAt("e-first-use", "2046-07-01T00:01:00Z");
        expect(await s.claim(JOB, first, { pair: seen(nova, T), export: true })).toBe("new");
        expect(await s.lookupSeen(JOB, [nova])).toEqual([{ ...nova, lastSeenMs: T }]);
        expect(await underTest.pairExpiresAt(JOB, nova)).toBe(ttl(T));
        expect((await s.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-first-use"]);
        expect((await s.listExports(JOB)).map((p) => p.eventId)).toEqual(["e-first-use"]);
      });

      it("a duplicate of a first use claimed without its pair writes the pair; an alias's duplicate none", async () => {
        // Claimed by an earlier release, which wrote no pair with its claims.
        const claimed = findingAt("e-claimed", "2046-07-01T00:02:00Z");
        expect(await s.claim(JOB, claimed)).toBe("new");
        expect(await s.claim(JOB, claimed, { pair: seen(claude, T) })).toBe("duplicate");
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T }]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T));
        // Under the pair's condition: an older time leaves the stored one.
        expect(await s.claim(JOB, claimed, { pair: seen(claude, T - 60_000) })).toBe("duplicate");
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T }]);
        // Another finding, not claimed (an alias of it is taken): its pair is not written.
        await s.claim(JOB, findingAt("e-alias-owner", "2046-07-01T00:03:00Z"), { aliases: ["a-owned"] });
        const aliased = findingAt("e-aliased", "2046-07-01T00:03:00Z");
        expect(await s.claim(JOB, aliased, { aliases: ["a-owned"], pair: seen(nova, T) })).toBe("duplicate");
        expect(await s.lookupSeen(JOB, [nova])).toEqual([]);
        expect((await s.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-claimed", "e-alias-owner"]);
      });

      it("a first use's claim is new when a later use of its pair is stored; the later time stays", async () => {
        await s.recordSeen(JOB, [seen(claude, T + 60_000)]);
        const f = findingAt("e-late-pair", "2046-07-01T00:01:00Z");
        expect(await s.claim(JOB, f, { pair: seen(claude, T), export: true })).toBe("new");
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T + 60_000 }]);
        expect(await underTest.pairExpiresAt(JOB, claude)).toBe(ttl(T + 60_000));
        expect((await s.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-late-pair"]);
        expect((await s.listExports(JOB)).map((p) => p.eventId)).toEqual(["e-late-pair"]);
        // Its id and its pair's condition both false: a duplicate, whatever the pair's condition says.
        expect(await s.claim(JOB, f, { pair: seen(claude, T) })).toBe("duplicate");
        const aliased = findingAt("e-aliased", "2046-07-01T00:02:00Z");
        await s.claim(JOB, findingAt("e-alias-owner", "2046-07-01T00:02:00Z"), { aliases: ["a-taken"] });
        expect(await s.claim(JOB, aliased, { aliases: ["a-taken"], pair: seen(claude, T) })).toBe("duplicate");
        expect((await s.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-late-pair", "e-alias-owner"]);
      });

      it("a first use's claim is a duplicate, writing nothing, when a use of its pair is stored since it", async () => {
        const since = T - 30 * 86_400_000;
        // A use within the baseline before the first use (an overlapping run's), and one at its limit: no first use.
        await s.recordSeen(JOB, [seen(claude, since)]);
        const f = findingAt("e-seen-since", "2046-07-01T00:01:00Z");
        expect(await s.claim(JOB, f, { pair: { ...seen(claude, T), unseenSinceMs: since }, export: true })).toBe(
          "duplicate",
        );
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: since }]);
        expect(await s.listPending(JOB)).toEqual([]);
        expect(await s.listExports(JOB)).toEqual([]);
        // A use stored before it (the pair unseen for longer than the baseline): the claim is new and writes the pair.
        expect(await s.claim(JOB, f, { pair: { ...seen(claude, T), unseenSinceMs: since + 1 } })).toBe("new");
        expect(await s.lookupSeen(JOB, [claude])).toEqual([{ ...claude, lastSeenMs: T }]);
        expect((await s.listPending(JOB)).map((p) => p.eventId)).toEqual(["e-seen-since"]);
      });

      it("has not learned until a run says so; the first learning's start stays, per job and rule", async () => {
        expect(await s.getBaselineSince(JOB, RULE)).toBeUndefined();
        await s.markBaselineLearned(JOB, RULE, "2046-06-01T00:00:00.000Z");
        await s.markBaselineLearned(JOB, RULE, "2046-06-02T00:00:00.000Z");
        expect(await s.getBaselineSince(JOB, RULE)).toBe("2046-06-01T00:00:00.000Z");
        expect(await s.getBaselineSince("other-job", RULE)).toBeUndefined();
        expect(await s.getBaselineSince(JOB, "other-rule")).toBeUndefined();
      });
    });

    describe("drift fingerprint", () => {
      it("is unset until set, then the last one set, per job", async () => {
        expect(await s.getDriftFingerprint(JOB)).toBeUndefined();
        await s.setDriftFingerprint(JOB, "abc");
        await s.setDriftFingerprint(JOB, "def");
        expect(await s.getDriftFingerprint(JOB)).toBe("def");
        expect(await s.getDriftFingerprint("other-job")).toBeUndefined();
      });
    });

    describe("coverage", () => {
      it("is unset until set, then the last memory set (accounts grouped by target and back), per job", async () => {
        expect(await s.getCoverage(JOB)).toBeUndefined();
        await s.setCoverage(JOB, {
          accounts: { "111111111111": "ou-a" },
          departed: {},
          listedAt: "2026-07-01T00:00:00Z",
        });
        const memory = {
          accounts: { "111111111111": "ou-ab12-prod0001", "222222222222": "ou-ab12-prod0001", "3": "3" },
          departed: { "222222222222": "ou-ab12-sandbox1", "444455556666": null },
          listedAt: "2026-07-01T01:00:00.000Z",
        };
        await s.setCoverage(JOB, memory);
        expect(await s.getCoverage(JOB)).toEqual(memory);
        expect(await s.getCoverage("other-job")).toBeUndefined();
      });
    });
  });
}
