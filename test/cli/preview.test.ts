/**
 * `preview` end to end: a generated 90-day history of a realistic organization, written as
 * CloudTrail delivery files (gzip, one per day and account), replayed through the command; it
 * reports exactly the calls the IAM simulator denies, each with a suggestion that, applied to the
 * config, makes the simulator allow that request; formats, exit codes, stdin and worker threads.
 *
 * @slow (simulates a generated 90-day history)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { runPreview } from "../../src/cli/commands/preview";
import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import type { ScpRequest } from "../../src/policy/evaluate";
import { previewerFor } from "../../src/policy/explain";
import { tsWorkerFactory } from "../detection/scan/helpers";
import { guardrailFor, REALISTIC_CONFIG } from "../policy/helpers";
import { recordArb } from "../policy/history";
import { simulateScp } from "../policy/simulator";
import { previewScan } from "../../src/cli/preview/scan";
import { expandInputs } from "../../src/detection/scan/inputs";

const DAY0 = Date.UTC(2026, 8, 1);
let dir: string;
let configFile: string;
const history = fc.sample(recordArb(DAY0, 90), { numRuns: 900, seed: 90 });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-"));
  const files = new Map<string, unknown[]>();
  for (const r of history) {
    const key = `${r.recipientAccountId}_${r.eventTime.slice(0, 10)}`;
    files.set(key, [...(files.get(key) ?? []), r]);
  }
  fs.mkdirSync(path.join(dir, "trail"));
  for (const [key, records] of files)
    fs.writeFileSync(path.join(dir, "trail", `${key}.json.gz`), zlib.gzipSync(JSON.stringify({ Records: records })));
  configFile = path.join(dir, "guardrail.config.json");
  fs.writeFileSync(configFile, JSON.stringify(REALISTIC_CONFIG));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function io(stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}),
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

/**
 * The config with a suggestion's first alternative applied: each of its changes ("add "X" to KEY" or "set KEY to
 * false", joined by " and "), before any "(or ...)" and "(denied by ...)".
 */
function applySuggestion(config: GuardrailConfigInput, suggestion: string): GuardrailConfigInput {
  const [first] = suggestion.split(" (");
  return first.split(" and ").reduce(applyChange, config);
}

/** The config with one change applied ("add "X" to KEY" or "set KEY to false"). */
function applyChange(config: GuardrailConfigInput, suggestion: string): GuardrailConfigInput {
  const keys =
    "approvedPrincipalArns|scp\\.(?:modelAllowList|exemptedPrincipalAdminArns|approvedMarketplaceProductIds)";
  const add = suggestion.match(new RegExp(`^add "([^"]+)" to (${keys})`));
  const scp = { ...config.scp };
  if (add?.[2] === "approvedPrincipalArns")
    return { ...config, approvedPrincipalArns: [...config.approvedPrincipalArns, add[1]] };
  if (add?.[2] === "scp.modelAllowList")
    return { ...config, scp: { ...scp, modelAllowList: [...(scp.modelAllowList ?? []), add[1]] } };
  if (add?.[2] === "scp.exemptedPrincipalAdminArns")
    return {
      ...config,
      scp: { ...scp, exemptedPrincipalAdminArns: [...(scp.exemptedPrincipalAdminArns ?? []), add[1]] },
    };
  if (add?.[2] === "scp.approvedMarketplaceProductIds")
    return {
      ...config,
      scp: { ...scp, approvedMarketplaceProductIds: [...(scp.approvedMarketplaceProductIds ?? []), add[1]] },
    };
  if (suggestion.startsWith("set scp.denyShortTermBedrockApiKeys to false"))
    return { ...config, scp: { ...scp, denyShortTermBedrockApiKeys: false } };
  if (suggestion.startsWith("set scp.allowLongTermBedrockApiKeyUse to true"))
    return { ...config, scp: { ...scp, allowLongTermBedrockApiKeyUse: true } };
  if (suggestion.startsWith("set scp.denyLongTermBedrockApiKeys to false"))
    return { ...config, scp: { ...scp, denyLongTermBedrockApiKeys: false } };
  throw new Error(`cannot apply: ${suggestion}`);
}

describe("preview over a generated 90-day history (realistic config)", () => {
  it("reports exactly the calls the simulator denies, grouped, each with a change that allows it", async () => {
    const t = io();
    const code = await runPreview([path.join(dir, "trail")], { config: configFile, format: "json" }, t);
    expect(t.err()).toMatch(/preview: \d+ file\(s\), 900 record\(s\)/);
    expect(code).toBe(0);
    const report = JSON.parse(t.out());
    // The simulator's verdict on every record, from the requests the record stands for.
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    const previewer = previewerFor(guardrail);
    const expected = new Map<string, number>();
    const deniedRequests: ScpRequest[] = [];
    let deniedBySimulator = 0;
    for (const record of history) {
      const p = previewer.previewRecord(record);
      if (p.kind !== "allowed" && p.kind !== "denied") continue;
      let denied: (typeof p.requests)[number] | undefined;
      // A request whose verdict hinges on what the record does not show decides nothing on its own; the others are
      // simulated without what is missing (which then cannot matter).
      for (const r of p.requests.filter((q) => previewer.decide(q).decision !== "undetermined"))
        if (!denied && (await simulateScp(guardrail, r, r.principalArn)) === "ExplicitlyDenied") denied = r;
      if (!denied) continue;
      deniedBySimulator++;
      deniedRequests.push(denied);
      const key = `${denied.principalArn}|${denied.action}|${denied.resource}|${JSON.stringify(denied.context)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(report.counts.denied).toBe(deniedBySimulator);
    const reported = new Map<string, number>();
    for (const g of report.wouldBeDenied) {
      const key = `${g.principalArn}|${g.action}|${g.resource}|${JSON.stringify(g.context)}`;
      reported.set(key, (reported.get(key) ?? 0) + g.count);
    }
    expect(reported).toEqual(expected);
    expect(report.wouldBeDenied.length).toBeGreaterThan(10);
    // Each group's suggestion, applied to the config, lets every request of the group through (the simulator says so).
    const suggestions = new Map<string, string>(
      report.wouldBeDenied.map(
        (g: { principalArn: string; action: string; resource: string; context: object; suggestion: string }) => [
          `${g.principalArn}|${g.action}|${g.resource}|${JSON.stringify(g.context)}`,
          g.suggestion,
        ],
      ),
    );
    const changed = new Map<string, Guardrail>();
    for (const r of deniedRequests) {
      const suggestion = suggestions.get(`${r.principalArn}|${r.action}|${r.resource}|${JSON.stringify(r.context)}`)!;
      if (!changed.has(suggestion))
        changed.set(suggestion, guardrailFor(applySuggestion(REALISTIC_CONFIG, suggestion)));
      const after = await simulateScp(changed.get(suggestion)!, r, r.principalArn);
      expect(`${suggestion}: ${after}`).toBe(`${suggestion}: Allowed`);
    }
    expect(report.counts.undetermined).toBeGreaterThan(0);
    expect(report.undetermined.every((u: { missing: string }) => u.missing.length > 0)).toBe(true);
    expect(report.counts.alreadyDenied).toBeGreaterThan(0);
  });

  it("--fail-on-denials exits 3; table and NDJSON; the same report from stdin and on worker threads", async () => {
    const t = io();
    expect(
      await runPreview([path.join(dir, "trail")], { config: configFile, failOnDenials: true, format: "table" }, t),
    ).toBe(3);
    // Who would be denied first (by principal), then the groups.
    const [summary, detail] = t.out().split("\n\n");
    expect(summary).toMatch(/^Who would be denied \(\d+ principal\(s\); \d+ denied call\(s\), \d+ undetermined;/);
    expect(detail).toMatch(
      /^Would be denied \(\d+ call\(s\)\):\nPRINCIPAL \(aws:PrincipalArn\) +ACCOUNT +ACTION +RESOURCE +CONTEXT +CALLS/,
    );
    // Every row has as many columns as the header (two spaces apart; no cell here holds two spaces).
    const columns = (line: string) => line.trim().split(/ {2,}/).length;
    for (const table of [summary, detail]) {
      const [header, , ...rows] = table.split("\n").slice(1);
      for (const row of rows) expect(columns(row)).toBe(columns(header));
    }
    expect(t.out()).toContain("\nUndetermined (");
    const nd = io();
    await runPreview([path.join(dir, "trail")], { config: configFile }, nd);
    const lines = nd
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(new Set(lines.map((l) => l.kind))).toEqual(new Set(["would-be-denied", "already-denied", "undetermined"]));
    // stdin: the same records as NDJSON.
    const piped = io(history.map((r) => JSON.stringify(r)).join("\n"));
    await runPreview(["-"], { config: configFile, format: "json" }, piped);
    const json = io();
    await runPreview([path.join(dir, "trail")], { config: configFile, format: "json" }, json);
    expect(JSON.parse(piped.out())).toEqual(JSON.parse(json.out()));
    // Worker threads (the preview worker from its TypeScript source): the same report.
    const inputs = expandInputs([path.join(dir, "trail")]);
    const workerFactory = tsWorkerFactory("", path.join(__dirname, "..", "..", "src", "cli", "preview", "worker.ts"));
    const threaded = await previewScan(guardrailFor(REALISTIC_CONFIG), inputs, {
      jobs: 2,
      minBytesForWorkers: 0,
      workerFactory,
    });
    const inThread = await previewScan(guardrailFor(REALISTIC_CONFIG), inputs, { jobs: 1 });
    expect(threaded.report).toEqual(inThread.report);
    expect(threaded.summary.records).toBe(900);
  });

  it("--ou names each denied account's OU; an account it cannot look up is named, the run incomplete", async () => {
    const t = io();
    const organization = new StaticOrganizationLookup(undefined, { "111122223333": ["ou-ab12-11111111", "r-ab12"] });
    const code = await runPreview(
      [path.join(dir, "trail")],
      { config: configFile, format: "json", ou: true },
      {
        ...t,
        organization,
      },
    );
    const report = JSON.parse(t.out());
    const byAccount = (a: string) => report.wouldBeDenied.filter((g: { accountId: string }) => g.accountId === a);
    expect(byAccount("111122223333").length).toBeGreaterThan(0);
    for (const g of byAccount("111122223333")) expect(g.ou).toBe("ou-ab12-11111111");
    const others = report.wouldBeDenied.filter((g: { accountId: string }) => g.accountId !== "111122223333");
    expect(others.length).toBeGreaterThan(0);
    for (const g of others) expect(g.ou).toBeUndefined();
    expect(t.err()).toMatch(/preview: --ou: cannot read the OU of account \d{12}: /);
    expect(code).toBe(1);
  });

  it("usage errors exit 2; an unreadable input leaves the run incomplete (1)", async () => {
    const t = io();
    expect(await runPreview([], { config: configFile }, t)).toBe(2);
    expect(t.err()).toMatch(/^preview: give at least one PATH/);
    const bad = io();
    expect(await runPreview([path.join(dir, "missing.json")], { config: configFile, format: "json" }, bad)).toBe(1);
    expect(bad.err()).toMatch(/missing\.json: unreadable/);
  });

  it("names a symbolic link loop it skips in a directory walk, as detect", async () => {
    const tree = fs.mkdtempSync(path.join(dir, "links-"));
    fs.symlinkSync(path.join(dir, "trail"), path.join(tree, "linked"));
    fs.symlinkSync(tree, path.join(tree, "loop"));
    const t = io();
    expect(await runPreview([tree], { config: configFile, format: "json" }, t)).toBe(0);
    expect(t.err()).toMatch(/^preview: .*loop: warning: skipped: a symbolic link to a directory already scanned/m);
  });

  it("--fail-on-undetermined exits 3 when a call cannot be decided from its record, and only then", async () => {
    const previewer = previewerFor(guardrailFor(REALISTIC_CONFIG));
    const kinds = history.map((r) => previewer.previewRecord(r).kind);
    const undetermined = history.filter((_, i) => kinds[i] === "undetermined");
    const denied = history.filter((_, i) => kinds[i] === "denied");
    expect(undetermined.length).toBeGreaterThan(0);
    expect(denied.length).toBeGreaterThan(0);
    const run = (records: unknown[], opts: { failOnDenials?: boolean; failOnUndetermined?: boolean }) =>
      runPreview(
        ["-"],
        { config: configFile, format: "json", ...opts },
        io(records.map((r) => JSON.stringify(r)).join("\n")),
      );
    expect(await run(undetermined, { failOnUndetermined: true })).toBe(3);
    expect(await run(undetermined, { failOnDenials: true })).toBe(0);
    expect(await run(denied, { failOnUndetermined: true })).toBe(0);
    expect(await run(denied, { failOnDenials: true, failOnUndetermined: true })).toBe(3);
    expect(await run([...denied, ...undetermined], {})).toBe(0);
  });

  it("a scan that read no CloudTrail record warns and exits 1, --fail-on-denials or not", async () => {
    const root = path.join(__dirname, "..", "..");
    const digestOnly = fs.mkdtempSync(path.join(dir, "digest-only-"));
    fs.mkdirSync(path.join(digestOnly, "CloudTrail-Digest"));
    fs.writeFileSync(path.join(digestOnly, "CloudTrail-Digest", "d.json.gz"), zlib.gzipSync("{}"));
    const inputs = {
      "an empty directory": fs.mkdtempSync(path.join(dir, "empty-")),
      "a file of other JSON": path.join(root, "package.json"),
      "only digest files": digestOnly,
    };
    for (const [name, input] of Object.entries(inputs))
      for (const failOnDenials of [true, false]) {
        const t = io();
        const code = await runPreview([input], { config: configFile, format: "json", failOnDenials }, t);
        expect(`${name}: ${code}`).toBe(`${name}: 1`);
        expect(t.err()).toMatch(/^preview: warning: no CloudTrail record in \d+ file\(s\): nothing was checked/m);
      }
    // one CloudTrail record is a scan
    const t = io();
    expect(await runPreview([path.join(dir, "trail")], { config: configFile, format: "json" }, t)).toBe(0);
    expect(t.err()).not.toMatch(/nothing was checked/);
  });
});
