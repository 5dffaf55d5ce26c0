/**
 * Model-based test (fast-check commands): random interleavings of CloudTrail deliveries (late by up
 * to 18 minutes), scheduled runs, and crashes injected at any AWS call of a run never lose a
 * finding and never duplicate one. The one duplicate at-least-once delivery cannot avoid (SNS
 * accepted the message, then the process died before recording it) is counted and must be the only
 * source of a second alert. With Security Hub on, the same holds for the alerts while Security Hub
 * refuses findings, fails whole requests or loses its answers, and every finding ends up in Security
 * Hub as one finding (one Id per event, CreatedAt kept, UpdatedAt only growing).
 * Two invocations may overlap (the scheduler delivers twice, a run outlives its period): they are
 * interleaved call by call in an order the property chooses, one of them possibly crashing mid-way,
 * and the lease alone must keep them from alerting twice.
 * It also runs with the Athena source over a simulated Athena (the job core is backend-agnostic;
 * the Athena adapter must keep it so), and with DynamoStateStore on DynamoDB Local, where the
 * conditions that make the lease hold are evaluated by the real engine.
 *
 * @slow (model-based runs, part on DynamoDB Local)
 */
import fc from "fast-check";
import type { CloudTrailRecord } from "../../src/detection/record";
import { bundledDefinition, compileGuardrail } from "../../src/guardrail/guardrail";
import { parseConfig } from "../../src/config/load";
import type { FindingResponder, Notifier } from "../../src/aws/contracts";
import { asffId, toAsff } from "../../src/aws/asff";
import type { FindingImporter } from "../../src/aws/securityhub";
import { runJob } from "../../src/runtime/job";
import type { QueryResult, QuerySource } from "../../src/runtime/query/source";
import { DynamoStateStore } from "../../src/runtime/state/dynamodb";
import { dynamoDbLocalForSuite } from "../support/dynamodb-local";
import { MemoryStateStore } from "../support/memory-state-store";
import type { StateStore } from "../../src/runtime/state/store";
import type { QueryWindow } from "../../src/runtime/window";
import { type AthenaSim, simulateAthena } from "./athena-sim";
import { eventBridgeEvent, minutes, simEvent, type SimEvent } from "./helpers";
import { MINIMAL_CONFIG } from "../support/fixtures";

/** Set by the Athena variant: the job then reads r.events through AthenaQuerySource. */
let athena: AthenaSim | undefined;

// A small alert budget so carry-over happens often.
const definition = bundledDefinition();
const small = {
  ...definition,
  detection: { ...definition.detection, schedule: { ...definition.detection.schedule, maxAlertsPerRun: 3 } },
};
const g = compileGuardrail(small, parseConfig(MINIMAL_CONFIG));
const gWithSecurityHub = compileGuardrail(
  small,
  parseConfig({ ...MINIMAL_CONFIG, monitor: { securityHub: { enabled: true } } }),
);
const PRODUCT = "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default";
const APPROVED = "arn:aws:iam::444455556666:role/BedrockModelAccessAdmin";
const JOB = "query-job";

class Crash extends Error {
  constructor() {
    super("injected crash");
    this.name = "Crash";
  }
}

/**
 * Runs two invocations step by step in an order the property chooses: each AWS call of a run waits
 * for its turn, and a turn is given only when every live run waits, so the order of calls (and so
 * the history) depends on `choices` alone, never on timing, whatever store the runs share.
 */
class Interleaver {
  /** Per run, its calls waiting for a turn, oldest first (a run may wait on more than one call at once). */
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly live = new Set<string>();
  private next = 0;
  constructor(private readonly choices: boolean[]) {}
  start(run: string): void {
    this.live.add(run);
  }
  finish(run: string): void {
    this.live.delete(run);
    this.release();
  }
  turn(run: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.set(run, [...(this.waiting.get(run) ?? []), resolve]);
      this.release();
    });
  }
  private release(): void {
    const runs = [...this.waiting.keys()].sort();
    if (runs.length === 0 || runs.length < this.live.size) return;
    const pick = runs[this.choices.length && this.choices[this.next++ % this.choices.length] ? runs.length - 1 : 0];
    const [resume, ...rest] = this.waiting.get(pick)!;
    if (rest.length > 0) this.waiting.set(pick, rest);
    else this.waiting.delete(pick);
    resume();
  }
}

/** Counts the AWS calls of one run and kills the "process" at call number `crashAt`. */
class Faults {
  calls = 0;
  dead = false;
  crashAt?: number;
  lastCall = "";
  /** Set when the run overlaps another one: every call first waits for the run's turn. */
  turn?: () => Promise<void>;
  async step(name: string): Promise<void> {
    await this.turn?.();
    this.hit(name);
  }
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
          await faults.step(String(prop));
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
  store: StateStore;
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
  /**
   * Security Hub's findings by Id, when the run exports; `violations` lists updates it would have
   * refused although they carried something new (an update that repeats the finding is harmlessly dropped).
   */
  securityHub?: {
    findings: Map<string, { createdAt: string; updatedAt: string; imports: number; content: string }>;
    violations: string[];
  };
}

/** How Security Hub answers during one run. */
type SecurityHubMode = "ok" | "partial" | "throw";

/** A Security Hub that keeps one finding per Id, as BatchImportFindings does. */
function fakeSecurityHub(r: Real, faults: Faults, mode: SecurityHubMode): FindingImporter {
  const sh = r.securityHub!;
  return {
    async importFindings(findings) {
      await faults.step("securityhub"); // the request never arrives
      if (mode === "throw") throw new Error("ServiceUnavailable");
      const refused = new Set(mode === "partial" ? findings.filter((_, i) => i % 2 === 0).map((f) => f.event.id) : []);
      for (const f of findings) {
        if (refused.has(f.event.id)) continue;
        const a = toAsff(f, { productArn: PRODUCT, updatedAt: new Date(r.clock).toISOString() });
        const existing = sh.findings.get(a.Id!);
        const content = JSON.stringify({ ...a, UpdatedAt: undefined });
        if (!existing) {
          sh.findings.set(a.Id!, { createdAt: a.CreatedAt!, updatedAt: a.UpdatedAt!, imports: 1, content });
          continue;
        }
        if (existing.createdAt !== a.CreatedAt) sh.violations.push(`${a.Id}: CreatedAt changed`);
        // Security Hub ignores an update whose UpdatedAt is not later. Sequential runs never send one; two
        // overlapping runs exporting at the same instant do, and that is harmless only if nothing changed.
        if (a.UpdatedAt! <= existing.updatedAt) {
          if (content !== existing.content) sh.violations.push(`${a.Id}: an update with news did not grow UpdatedAt`);
          continue;
        }
        existing.updatedAt = a.UpdatedAt!;
        existing.content = content;
        existing.imports++;
      }
      await faults.step("securityhub-answer"); // it arrived, the answer is lost
      return [...refused].map((eventId) => ({ eventId, code: "InvalidInput", message: "refused" }));
    },
  };
}
interface Model {
  count: number;
}

// Ahead of the real clock: DynamoDB Local deletes items whose TTL has passed (as DynamoDB does), and a
// history in the past would see its dedupe records (TTL = completion + 30 days) vanish mid-run.
const START = Date.parse("2046-07-01T00:00:00Z");

async function runOnce(
  r: Real,
  crashAt?: number,
  securityHubMode: SecurityHubMode = "ok",
  turn?: () => Promise<void>,
): Promise<void> {
  const faults = new Faults();
  faults.crashAt = crashAt;
  faults.turn = turn;
  const now = () => new Date(r.clock);
  let lastPublished: string | undefined;
  const inProcess: QuerySource = {
    backend: "test",
    async run(w: QueryWindow): Promise<QueryResult> {
      await faults.step("query");
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
  const source: QuerySource = athena
    ? {
        backend: "athena",
        run: async (w) => {
          await faults.step("query");
          athena!.events = r.events;
          athena!.clock.now = new Date(r.clock);
          return athena!.source(g).run(w);
        },
      }
    : inProcess;
  const notifier: Notifier = {
    async publish(_s, body) {
      await faults.step("publish");
      const id = JSON.parse(body).event.id as string;
      r.published.set(id, (r.published.get(id) ?? 0) + 1);
      lastPublished = id;
    },
  };
  const responder: FindingResponder = {
    async respond(f) {
      await faults.step("respond");
      r.responded.set(f.event.id, (r.responded.get(f.event.id) ?? 0) + 1);
      return { findingId: f.event.id, outcomes: [] };
    },
  };
  const store = faultyStore(r.store, faults, (id) => {
    if (lastPublished === id) r.allowedExtra.set(id, (r.allowedExtra.get(id) ?? 0) + 1);
  });
  const summary = await runJob(
    {
      guardrail: r.securityHub ? gWithSecurityHub : g,
      store,
      source,
      notifier,
      responder,
      securityHub: r.securityHub ? fakeSecurityHub(r, faults, securityHubMode) : undefined,
      now,
      runId: `run-${++r.runs}`,
    },
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
  constructor(
    readonly crashAt?: number,
    readonly securityHubMode: SecurityHubMode = "ok",
  ) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    // The scheduler fires every 5 minutes.
    r.clock += minutes(5);
    await runOnce(r, this.crashAt, this.securityHubMode);
  }
  toString = () => `Run(crashAt=${this.crashAt ?? "none"}, securityHub=${this.securityHubMode})`;
}

/**
 * Two invocations at the same instant (the scheduler delivered twice, or a run outlived its
 * period), interleaved call by call as `choices` says; `crashAt` kills the first one mid-way.
 */
class OverlappingRuns implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly choices: boolean[],
    readonly crashAt?: number,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.clock += minutes(5);
    const interleaver = new Interleaver(this.choices);
    const one = async (name: string, crashAt?: number) => {
      interleaver.start(name);
      try {
        await runOnce(r, crashAt, "ok", () => interleaver.turn(name));
      } finally {
        interleaver.finish(name);
      }
    };
    await Promise.all([one("a", this.crashAt), one("b")]);
  }
  toString = () => `OverlappingRuns(crashAt=${this.crashAt ?? "none"}, choices=${this.choices.map(Number).join("")})`;
}

const commands = [
  fc.tuple(fc.integer({ min: 0, max: 18 }), fc.boolean()).map(([d, a]) => new AddEvent(d, a)),
  fc.integer({ min: 1, max: 4 }).map((n) => new Tick(n)),
  fc
    .tuple(
      fc.option(fc.integer({ min: 1, max: 40 }), { freq: 2 }),
      fc.constantFrom<SecurityHubMode>("ok", "partial", "throw"),
    )
    .map(([c, mode]) => new ScheduledRun(c ?? undefined, mode)),
  fc
    .tuple(fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }), fc.option(fc.integer({ min: 1, max: 30 })))
    .map(([choices, c]) => new OverlappingRuns(choices, c ?? undefined)),
];

async function checkRandomHistory(
  cmds: Iterable<fc.AsyncCommand<Model, Real>>,
  withSecurityHub: boolean,
  openStore: () => Promise<StateStore> = async () => new MemoryStateStore(),
) {
  const real: Real = {
    clock: START,
    events: [],
    store: await openStore(),
    published: new Map(),
    responded: new Map(),
    allowedExtra: new Map(),
    runs: 0,
    ...(withSecurityHub ? { securityHub: { findings: new Map(), violations: [] } } : {}),
  };
  await fc.asyncModelRun(() => ({ model: { count: 0 }, real }), cmds);
  // Quiesce: everything is delivered, leases of crashed runs expire, runs succeed.
  const unfinished = async () =>
    (await real.store.listPending(JOB)).length + (await real.store.listExports(JOB)).length > 0;
  for (let i = 0; i < 40 && ((await unfinished()) || i < 6); i++) {
    real.clock += minutes(16);
    await runOnce(real);
  }
  expect(await real.store.listPending(JOB)).toEqual([]);
  expect(await real.store.listExports(JOB)).toEqual([]);
  for (const e of real.events) {
    const approved = e.roleArn === APPROVED;
    const published = real.published.get(e.id) ?? 0;
    const inSecurityHub = real.securityHub?.findings.get(asffId(e.id));
    if (e.time.getTime() < real.coveredFrom! || approved) {
      // Before the first run's look-back (out of scope by design, never queried), or approved.
      expect(published).toBe(0);
      expect(inSecurityHub).toBeUndefined();
      continue;
    }
    // never lost; a second alert only where SNS accepted it and the crash lost the record
    expect(published).toBe(1 + (real.allowedExtra.get(e.id) ?? 0));
    expect(real.responded.get(e.id) ?? 0).toBeGreaterThanOrEqual(1);
    if (withSecurityHub) expect(inSecurityHub?.createdAt).toBe(e.time.toISOString().replace(/\.\d{3}Z$/, "Z"));
  }
  for (const id of real.published.keys()) expect(real.events.some((e) => e.id === id)).toBe(true);
  if (real.securityHub) {
    expect(real.securityHub.violations).toEqual([]);
    const ids = new Set(real.events.map((e) => asffId(e.id)));
    for (const id of real.securityHub.findings.keys()) expect(ids.has(id)).toBe(true);
  }
}

describe("job state machine", () => {
  it("never loses or duplicates a finding across crashes, retries and late deliveries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60 }), (cmds) => checkRandomHistory(cmds, false)),
      { numRuns: 150 },
    );
  });

  it("with Security Hub on: the same alerts while it fails, and every finding in it once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60 }), (cmds) => checkRandomHistory(cmds, true)),
      { numRuns: 150 },
    );
  });
});

describe("job state machine over the Athena source", () => {
  beforeAll(() => {
    athena = simulateAthena();
  });
  afterAll(() => {
    athena = undefined;
  });

  it("never loses or duplicates a finding across crashes, retries and late deliveries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60 }), (cmds) => checkRandomHistory(cmds, false)),
      { numRuns: 60 },
    );
  });
});

describe("job state machine on DynamoDB Local (DynamoStateStore, overlapping runs included)", () => {
  const dynamoDbLocal = dynamoDbLocalForSuite();
  const openStore = async () =>
    new DynamoStateStore(dynamoDbLocal().client(), await dynamoDbLocal().createStateTable());
  // A new table per history; fewer and shorter histories than in memory, each call being a real request
  // (a few seconds on a quiet machine, many times that beside a full test run: a generous timeout).
  it.each([
    ["never loses or duplicates a finding across crashes, retries, late deliveries and overlaps", false, 12],
    ["with Security Hub on: the same, and every finding in it once", true, 8],
  ] as const)(
    "%s",
    async (_name, withSecurityHub, numRuns) => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 30 }), (cmds) =>
          checkRandomHistory(cmds, withSecurityHub, openStore),
        ),
        { numRuns },
      );
    },
    240_000,
  );
});
