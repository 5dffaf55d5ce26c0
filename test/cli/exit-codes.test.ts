/**
 * The exit-code table (src/cli/exit-codes.ts, docs/cli.md), one test per row, through the commands
 * that produce it: 0 ok, 1 incomplete (input or AWS problem), 2 usage/config, 3 --fail-on-findings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
import { runOnce } from "../../src/cli/commands/run-once";
import { EXIT, exitCodeFor } from "../../src/cli/exit-codes";
import type { QuerySource } from "../../src/runtime/query/source";
import { at, guardrailWith, lakeSource, simEvent, simulateLake } from "../runtime/helpers";

const EXAMPLES = path.join(__dirname, "..", "..", "examples", "cloudtrail");

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "exit-codes-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  };
}

async function detect(paths: string[], failOnFindings = false) {
  const s = sinks();
  const code = await runDetect(paths, { failOnFindings }, { ...s, cwd: tmp, env: {} });
  return { code, err: s.err.join("") };
}

describe("the table", () => {
  it.each([
    [{ incomplete: false, unapprovedFindings: 0, failOnFindings: false }, EXIT.OK],
    [{ incomplete: false, unapprovedFindings: 2, failOnFindings: false }, EXIT.OK],
    [{ incomplete: true, unapprovedFindings: 0, failOnFindings: true }, EXIT.INCOMPLETE],
    [{ incomplete: true, unapprovedFindings: 2, failOnFindings: false }, EXIT.INCOMPLETE],
    [{ incomplete: false, unapprovedFindings: 2, failOnFindings: true }, EXIT.FAIL_ON_FINDINGS],
    [{ incomplete: true, unapprovedFindings: 2, failOnFindings: true }, EXIT.FAIL_ON_FINDINGS],
  ])("%o -> %d", (outcome, code) => {
    expect(exitCodeFor(outcome)).toBe(code);
  });

  it("has the documented numbers", () => {
    expect(EXIT).toEqual({ OK: 0, INCOMPLETE: 1, USAGE: 2, FAIL_ON_FINDINGS: 3 });
  });
});

describe("detect", () => {
  it("0: findings without --fail-on-findings", async () => {
    expect((await detect([EXAMPLES])).code).toBe(EXIT.OK);
  });

  it("1: a skipped (invalid) record makes the run incomplete and is named", async () => {
    const file = path.join(tmp, "invalid-record.json");
    fs.writeFileSync(file, JSON.stringify({ Records: [42, { eventSource: "ec2.amazonaws.com" }] }));
    const r = await detect([file]);
    expect(r.code).toBe(EXIT.INCOMPLETE);
    expect(r.err).toMatch(/invalid-record\.json: 1 invalid record/);
  });

  it("2: usage error", async () => {
    expect((await detect([])).code).toBe(EXIT.USAGE);
  });

  it("3 wins over 1, and the damaged input is still named", async () => {
    const bad = path.join(tmp, "empty.json");
    fs.writeFileSync(bad, "");
    const r = await detect([EXAMPLES, bad], true);
    expect(r.code).toBe(EXIT.FAIL_ON_FINDINGS);
    expect(r.err).toMatch(/empty\.json: unreadable/);
  });
});

describe("run-once", () => {
  const g = guardrailWith();
  const window = { start: "2026-07-01T10:00:00Z", end: "2026-07-01T12:00:00Z" };
  /** The window's end: run-once refuses a window that starts after now, so the machine's clock must not decide. */
  const now = () => at("2026-07-01T12:00:00Z");

  function lakeWithOneFinding() {
    const lake = simulateLake();
    lake.clock.now = at("2026-07-01T12:00:00Z");
    lake.events.push(simEvent("e-1", at("2026-07-01T11:00:00Z"), 1));
    return lake;
  }

  it("--dry-run: 0 with findings, 3 with --fail-on-findings", async () => {
    const lake = lakeWithOneFinding();
    const io = { ...sinks(), source: lakeSource(lake, g), now: () => lake.clock.now };
    expect(await runOnce(g, { dryRun: true, ...window }, io)).toBe(EXIT.OK);
    expect(await runOnce(g, { dryRun: true, ...window, failOnFindings: true }, io)).toBe(EXIT.FAIL_ON_FINDINGS);
  });

  it("1: a failed AWS call, in one line", async () => {
    const failing: QuerySource = {
      backend: "cloudtrail-lake",
      run: () => Promise.reject(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" })),
    };
    const s = sinks();
    expect(await runOnce(g, { dryRun: true, ...window }, { ...s, source: failing, now })).toBe(EXIT.INCOMPLETE);
    expect(s.err).toHaveLength(1);
    expect(s.err[0]).toMatch(/^run-once: .*User is not authorized\n$/);
  });

  it("1: rows the backend returned that are not records make a dry run incomplete", async () => {
    const partial: QuerySource = {
      backend: "cloudtrail-lake",
      run: async () => ({ records: [], rows: 1, bytesScanned: 0, unreadable: [{ row: 0, reason: "not JSON" }] }),
    };
    const s = sinks();
    expect(await runOnce(g, { dryRun: true, ...window }, { ...s, source: partial, now })).toBe(EXIT.INCOMPLETE);
    expect(s.err.join("")).toMatch(/row 0: not JSON/);
  });
});
