/**
 * Model-based test (fast-check commands): random interleavings of CloudTrail deliveries (late by up
 * to 18 minutes), scheduled runs, and crashes injected at any AWS call of a run never lose a
 * finding and never duplicate one. The one duplicate at-least-once delivery cannot avoid (SNS
 * accepted the message, then the process died before recording it) is counted and must be the only
 * source of a second alert.
 */
import fc from "fast-check";
import type { CloudTrailRecord } from "../../src/detection/record";
import { BUNDLED_DEFINITION, compileGuardrail, parseDefinition } from "../../src/guardrail/guardrail";
import { parseConfig } from "../../src/config/load";
import type { FindingResponder, Notifier } from "../../src/aws/contracts";
import { runJob } from "../../src/runtime/job";
import type { QueryResult, QuerySource } from "../../src/runtime/query/source";
import { MemoryStateStore } from "../../src/runtime/state/memory";
import type { StateStore } from "../../src/runtime/state/store";
import type { QueryWindow } from "../../src/runtime/window";
import { eventBridgeEvent, minutes, simEvent, type SimEvent } from "./helpers";
import { MINIMAL_CONFIG } from "../support/fixtures";

// A small alert budget so carry-over happens often.
const definition = parseDefinition(BUNDLED_DEFINITION);
const small = {
  ...definition,
  detection: { ...definition.detection, schedule: { ...definition.detection.schedule, maxAlertsPerRun: 3 } },
};
const g = compileGuardrail(small, parseConfig(MINIMAL_CONFIG));
const APPROVED = "arn:aws:iam::444455556666:role/BedrockModelAccessAdmin";
const JOB = "query-job";

class Crash extends Error {
  constructor() {
    super("injected crash");
    this.name = "Crash";
  }
}

/** Counts the AWS calls of one run and kills the "process" at call number `crashAt`. */
class Faults {
  calls = 0;
  dead = false;
  crashAt?: number;
  lastCall = "";
  hit(name: string): void {
    if (this.dead) throw new Crash();
    this.calls++;
    if (this.crashAt !== undefined && this.calls >= this.crashAt) {
      this.dead = true;
      this.lastCall = name;
      throw new Crash();
    }
  }
}

function faultyStore(inner: StateStore, faults: Faults, onMarkPublishedCrash: (eventId: string) => void): StateStore {
  return new Proxy(inner, {
    get(target, prop: keyof StateStore) {
      const fn = target[prop] as (...a: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        try {
          faults.hit(String(prop));
        } catch (e) {
          if (prop === "markPublished") onMarkPublishedCrash(args[0] as string);
          throw e;
        }
        return fn.apply(target, args);
      };
    },
  });
}

interface Real {
  clock: number;
  events: SimEvent[];
  store: MemoryStateStore;
  published: Map<string, number>;
  responded: Map<string, number>;
  /** Events whose "published" mark was lost to a crash right after SNS accepted them. */
  allowedExtra: Map<string, number>;
  runs: number;
  /**
   * Start of the first window whose anchor the job stored: coverage begins there (the job never looks further back than
   * its first look-back).
   */
  coveredFrom?: number;
}
interface Model {
  count: number;
}

const START = Date.parse("2026-07-01T00:00:00Z");

async function runOnce(r: Real, crashAt?: number): Promise<void> {
  const faults = new Faults();
  faults.crashAt = crashAt;
  const now = () => new Date(r.clock);
  let lastPublished: string | undefined;
  const source: QuerySource = {
    backend: "test",
    async run(w: QueryWindow): Promise<QueryResult> {
      faults.hit("query");
      const records = r.events
        .filter(
          (e) =>
            e.deliveredAt.getTime() <= r.clock &&
            e.time.getTime() >= w.start.getTime() &&
            e.time.getTime() < w.end.getTime(),
        )
        .map((e) => eventBridgeEvent(e).detail as CloudTrailRecord);
      return { records, rows: records.length, bytesScanned: 0, unreadable: [] };
    },
  };
  const notifier: Notifier = {
    async publish(_s, body) {
      faults.hit("publish");
      const id = JSON.parse(body).event.id as string;
      r.published.set(id, (r.published.get(id) ?? 0) + 1);
      lastPublished = id;
    },
  };
  const responder: FindingResponder = {
    async respond(f) {
      faults.hit("respond");
      r.responded.set(f.event.id, (r.responded.get(f.event.id) ?? 0) + 1);
      return { findingId: f.event.id, outcomes: [] };
    },
  };
  const store = faultyStore(r.store, faults, (id) => {
    if (lastPublished === id) r.allowedExtra.set(id, (r.allowedExtra.get(id) ?? 0) + 1);
  });
  const summary = await runJob(
    { guardrail: g, store, source, notifier, responder, now, runId: `run-${++r.runs}` },
    { jobName: JOB },
  );
  if (r.coveredFrom === undefined && summary.window && (await r.store.getWatermark(JOB)) !== undefined)
    r.coveredFrom = Date.parse(summary.window.start);
}

class AddEvent implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly delayMinutes: number,
    readonly approved: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const id = `e-${String(++m.count).padStart(4, "0")}`;
    r.events.push(simEvent(id, new Date(r.clock), this.delayMinutes, this.approved ? { roleArn: APPROVED } : {}));
  }
  toString = () => `AddEvent(delay=${this.delayMinutes}, approved=${this.approved})`;
}

class Tick implements fc.AsyncCommand<Model, Real> {
  constructor(readonly minutes: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.clock += minutes(this.minutes);
  }
  toString = () => `Tick(${this.minutes})`;
}

class ScheduledRun implements fc.AsyncCommand<Model, Real> {
  constructor(readonly crashAt?: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    // The scheduler fires every 5 minutes.
    r.clock += minutes(5);
    await runOnce(r, this.crashAt);
  }
  toString = () => `Run(crashAt=${this.crashAt ?? "none"})`;
}

const commands = [
  fc.tuple(fc.integer({ min: 0, max: 18 }), fc.boolean()).map(([d, a]) => new AddEvent(d, a)),
  fc.integer({ min: 1, max: 4 }).map((n) => new Tick(n)),
  fc.option(fc.integer({ min: 1, max: 40 }), { freq: 2 }).map((c) => new ScheduledRun(c ?? undefined)),
];

describe("job state machine", () => {
  it("never loses or duplicates a finding across crashes, retries and late deliveries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60 }), async (cmds) => {
        const real: Real = {
          clock: START,
          events: [],
          store: new MemoryStateStore(),
          published: new Map(),
          responded: new Map(),
          allowedExtra: new Map(),
          runs: 0,
        };
        await fc.asyncModelRun(() => ({ model: { count: 0 }, real }), cmds);
        // Quiesce: everything is delivered, leases of crashed runs expire, runs succeed.
        for (let i = 0; i < 40 && ((await real.store.listPending(JOB)).length > 0 || i < 6); i++) {
          real.clock += minutes(16);
          await runOnce(real);
        }
        expect(await real.store.listPending(JOB)).toEqual([]);
        for (const e of real.events) {
          const approved = e.roleArn === APPROVED;
          const published = real.published.get(e.id) ?? 0;
          if (e.time.getTime() < real.coveredFrom!) {
            // Before the first run's look-back: out of the job's scope by design, and never queried.
            expect(published).toBe(0);
            continue;
          }
          if (approved) {
            expect(published).toBe(0);
            continue;
          }
          // never lost; a second alert only where SNS accepted it and the crash lost the record
          expect(published).toBe(1 + (real.allowedExtra.get(e.id) ?? 0));
          expect(real.responded.get(e.id) ?? 0).toBeGreaterThanOrEqual(1);
        }
        for (const id of real.published.keys()) expect(real.events.some((e) => e.id === id)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
