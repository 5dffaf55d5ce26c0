/**
 * `run-once`'s sources of another backend: --event-data-store is read by cloudtrail-lake only and --log-group by
 * cloudwatch-logs only; given for another backend (named, or the config's monitor.backend) they are refused (exit 2)
 * before any AWS call, not left out while the run reads elsewhere.
 */
import { runOnce } from "../../src/cli/commands/run-once";
import type { QuerySource } from "../../src/runtime/query/source";
import { guardrailWith } from "../runtime/helpers";

function io() {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    out: () => out,
    err: () => err,
  };
}

describe("run-once with another backend's source", () => {
  it.each([
    [
      { backend: "athena", logGroup: ["org-trail"] },
      "run-once: --backend athena: takes no --log-group (only cloudwatch-logs reads it)\n",
    ],
    [
      { backend: "cloudwatch-logs", logGroup: ["org-trail"], eventDataStore: "abc-123" },
      "run-once: --backend cloudwatch-logs: takes no --event-data-store (only cloudtrail-lake reads it)\n",
    ],
    [
      { backend: "cloudtrail-lake", eventDataStore: "abc-123", region: "us-east-1", logGroup: ["org-trail"] },
      "run-once: --backend cloudtrail-lake: takes no --log-group (only cloudwatch-logs reads it)\n",
    ],
  ])("%j is a usage error naming the option and the backend that reads it", async (opts, message) => {
    const s = io();
    expect(await runOnce(guardrailWith(), { ...opts, dryRun: true }, s)).toBe(2);
    expect({ out: s.out(), err: s.err() }).toEqual({ out: "", err: message });
  });

  it("the config's monitor.backend is the backend when --backend is left out", async () => {
    const s = io();
    const g = guardrailWith({ monitor: { backend: "athena", athena: { bucket: "org-trail-logs" } } });
    expect(await runOnce(g, { eventDataStore: "abc-123", dryRun: true }, s)).toBe(2);
    expect(s.err()).toBe("run-once: --backend athena: takes no --event-data-store (only cloudtrail-lake reads it)\n");
  });
});

describe("run-once --json", () => {
  it("without --dry-run is a usage error before any AWS call, not left out of the summary line", async () => {
    const s = io();
    expect(await runOnce(guardrailWith(), { json: true, stateTable: "t", topicArn: undefined }, s)).toBe(2);
    expect({ out: s.out(), err: s.err() }).toEqual({
      out: "",
      err: "run-once: --json prints the findings of --dry-run; a real run prints its summary line only\n",
    });
  });
});

describe("run-once --start in the future", () => {
  const now = () => new Date("2026-07-01T12:00:00Z");
  const untouched: QuerySource = {
    backend: "cloudtrail-lake",
    run: () => Promise.reject(new Error("the query ran")),
  };

  it("is a usage error before the query runs: no event is there yet, and the window would read as clean", async () => {
    const s = io();
    const opts = { dryRun: true, start: "2027-07-01T10:00:00Z", end: "2027-07-01T12:00:00Z" };
    expect(await runOnce(guardrailWith(), opts, { ...s, source: untouched, now })).toBe(2);
    expect({ out: s.out(), err: s.err() }).toEqual({
      out: "",
      err:
        'run-once: --start: "2027-07-01T10:00:00Z" is in the future (it is 2026-07-01T12:00:00.000Z now): ' +
        "no event is there yet\n",
    });
  });

  it("a window that only ends in the future reads up to now", async () => {
    const s = io();
    const empty: QuerySource = {
      backend: "cloudtrail-lake",
      run: async () => ({ records: [], rows: 0, bytesScanned: 0, unreadable: [] }),
    };
    const opts = { dryRun: true, start: "2026-07-01T10:00:00Z", end: "2026-07-02T00:00:00Z" };
    expect(await runOnce(guardrailWith(), opts, { ...s, source: empty, now })).toBe(0);
  });
});
