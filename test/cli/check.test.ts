import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCheck } from "../../src/cli/commands/check";
import type { MonitorBackend } from "../../src/config/backends";
import { main } from "../../src/cli/index";
import { setRunningCommand } from "../../src/cli/report";
import { FULL_CONFIG, GOVCLOUD_CONFIG, guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";
import { captureOutput as capture } from "./helpers";

// main() names the running command (the `check: ` of each stderr line); runCheck called directly runs as check too,
// so no test's lines depend on whether a test through main() ran before it.
beforeEach(() => setRunningCommand("check"));
afterEach(() => setRunningCommand(undefined));

describe("check", () => {
  it("prints the decision table and exits 0 for a valid config", () => {
    const c = capture();
    expect(runCheck(guardrailFor(FULL_CONFIG), {}, c.io)).toBe(0);
    const text = c.out();
    expect(text).toMatch(
      new RegExp(
        String.raw`^SCP: 2 document\(s\) \(bedrock-model-access-guardrail \d+, bedrock-model-access-guardrail-2 \d+ ` +
          String.raw`characters\); largest \d+ of 10240 characters\n` +
          String.raw` {2}target root: uses 3 of 10 policies \(1 already attached \+ 2 guardrail\)\n`,
      ),
    );
    const row = (label: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith(label))!
        .split(/\s{2,}/)
        .slice(1);
    // approved, IdC approved (us-east-1 and us-west-2 instances), IdC lookalike, break-glass, tool role, monitor,
    // StackSets, other role, IAM user, root, mgmt acct, SLR. The tool's roles are not exempt: they never enable models.
    expect(row("bedrock:CreateFoundationModelAgreement")).toEqual([
      "allow",
      "allow",
      "allow",
      "DENY",
      "allow",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "n/a",
      "n/a",
      "DenyBedrockModelAccessApis",
    ]);
    expect(row("aws-marketplace:Subscribe (direct)")).toEqual([
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "allow",
      "n/a",
      "n/a",
    ]);
    // Break-glass alone may re-trust an approved role here (no admins listed); StackSets no longer may.
    expect(row("iam:UpdateAssumeRolePolicy role/BedrockModelAccessAdmin")).toEqual([
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "allow",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "DENY",
      "n/a",
      "n/a",
      "ProtectExemptedPrincipals",
    ]);
    expect(row("s3:GetObject").every((c) => c === "allow" || c === "n/a")).toBe(true);
    // A us-east-1 instance's roles have no Region in their path; another Region's do.
    expect(text).toContain("role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_BedrockAdmin_");
    expect(text).toContain("role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_BedrockAdmin_");
    expect(text).toMatch(/check passed/);
  });

  it("--json lists the disabled rules and still runs their examples", () => {
    const c = capture();
    const config = { ...MINIMAL_CONFIG, detection: { disabledRules: ["bedrock-model-agreement-deleted"] } };
    runCheck(guardrailFor(config), { json: true }, c.io);
    const report = JSON.parse(c.out());
    expect(report.ok).toBe(true);
    expect(report.disabledRules).toEqual(["bedrock-model-agreement-deleted"]);
    const own = report.ruleTests.filter((t: { rule: string }) => t.rule === "bedrock-model-agreement-deleted");
    expect(own.length).toBeGreaterThan(0);
    expect(report.findings.map((f: { code: string }) => f.code)).toContain("disabled-rule-not-prevented");
  });

  it("--json gives the same decisions by principal role", () => {
    const c = capture();
    runCheck(guardrailFor(MINIMAL_CONFIG), { json: true }, c.io);
    const report = JSON.parse(c.out());
    expect(report.ok).toBe(true);
    const row = report.rows.find((r: { action: string }) => r.action === "bedrock:PutUseCaseForModelAccess");
    expect(row.decisions).toMatchObject({
      "approved-role": "allow",
      "non-approved-role": "deny",
      "iam-user": "deny",
      "member-root": "deny",
      "management-account": "not-applicable",
      "service-linked-role": "not-applicable",
    });
  });

  it("exits 2 (a config problem) with a message naming the problem on a lint error", () => {
    const c = capture();
    const g = guardrailFor({
      approvedPrincipalArns: Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${100000000000 + i}:role/Admin${i}`),
      scp: { maxPolicySize: 1000 },
    });
    expect(runCheck(g, {}, c.io)).toBe(2);
    expect(c.err()).toMatch(
      /error: SCP bedrock-model-access-guardrail is \d+ characters, over scp\.maxPolicySize 1000/,
    );
    // Each statement that carries the 40 exempt roles (model access, Subscribe via Bedrock, API-key creation and
    // use, service-linked roles, protect exempted) alone is over the size, and so are the tag-protected and the
    // deployment ones (their action lists); the ten documents do not fit the root's free slots either.
    expect(c.out()).toMatch(/check failed: 9 lint error\(s\)/);
    // every stderr line carries the prefix: no blank line
    expect(c.err()).not.toMatch(/^\n|\n\n/);
  });
});

describe("check's slot budget", () => {
  const TARGETS = ["ou-ab12-11111111", "ou-ab12-22222222"];
  const budget = (existing: Record<string, number>, fallback = 1) =>
    guardrailFor({
      ...FULL_CONFIG,
      targets: TARGETS,
      scp: {
        ...FULL_CONFIG.scp,
        maxPolicySize: 3800,
        existingPoliciesPerTarget: { default: fallback, byTarget: existing },
      },
    });

  it("prints per target how many of its policies the guardrail and the others use", () => {
    const c = capture();
    expect(runCheck(budget({ "ou-ab12-22222222": 4 }), {}, c.io)).toBe(0);
    expect(c.out()).toContain("target ou-ab12-11111111: uses 4 of 10 policies (1 already attached + 3 guardrail)");
    expect(c.out()).toContain("target ou-ab12-22222222: uses 7 of 10 policies (4 already attached + 3 guardrail)");
  });

  it("refuses (exit 2) a guardrail with more documents than a target has free slots, naming the target", () => {
    const c = capture();
    expect(runCheck(budget({ "ou-ab12-22222222": 8 }), {}, c.io)).toBe(2);
    expect(c.out()).toContain(
      "target ou-ab12-22222222: uses 11 of 10 policies (8 already attached + 3 guardrail): DOES NOT FIT",
    );
    expect(c.err()).toContain("error: the guardrail needs 3 SCP(s) but ou-ab12-22222222 has 2 free slot(s)");
    expect(c.err()).not.toContain("ou-ab12-11111111 has");
    // Exactly full is fine: 7 + 3 = 10.
    expect(runCheck(budget({ "ou-ab12-22222222": 7 }), {}, capture().io)).toBe(0);
    // The default count applies where no target-specific one is given.
    expect(runCheck(budget({}, 8), {}, capture().io)).toBe(2);
  });

  it("JSON output carries the documents, the quota and the slots", () => {
    const c = capture();
    runCheck(budget({}), { json: true }, c.io);
    const out = JSON.parse(c.out());
    expect(out.maxPolicySize).toBe(3800);
    expect(out.documents).toHaveLength(3);
    expect(out.slots).toEqual(
      TARGETS.map((target) => ({ target, existing: 1, guardrail: 3, uses: 4, max: 10, fits: true })),
    );
  });

  it("a count for a target the SCP is not attached to is a config error naming it", () => {
    expect(() => budget({ "ou-ab12-33333333": 2 })).toThrow(/ou-ab12-33333333 is not in targets/);
    expect(() =>
      guardrailFor({ ...MINIMAL_CONFIG, scp: { existingPoliciesPerTarget: { byTarget: { "ou-ab12-33333333": 2 } } } }),
    ).toThrow(/not the organization root/);
    const root = guardrailFor({ ...MINIMAL_CONFIG, scp: { existingPoliciesPerTarget: { byTarget: { "r-ab12": 9 } } } });
    const c = capture();
    expect(runCheck(root, {}, c.io)).toBe(0);
    expect(c.out()).toContain("target root: uses 10 of 10 policies (9 already attached + 1 guardrail)");
  });
});

describe("CLI exit codes through main()", () => {
  let dir: string;
  let exitSpy: jest.SpyInstance;
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "guardrail-cli-"));
    exitSpy = jest.spyOn(process, "exit").mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    process.exitCode = undefined;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
    process.exitCode = undefined;
  });
  const write = (value: unknown) => {
    const file = path.join(dir, "guardrail.config.json");
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  };
  const written = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0])).join("");

  it('refuses "approvedPrincipalArns": ["*"] with exit 2 and a message naming the key', async () => {
    await main(["node", "bedrock-guardrail", "check", "--config", write({ approvedPrincipalArns: ["*"] })]);
    expect(exitSpy).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(2);
    expect(written(stdout)).toBe("");
    expect(written(stderr)).toMatch(/approvedPrincipalArns\[0\]: "\*" exempts every principal/);
  });

  it("exit 0 and the table for a valid config", async () => {
    await main(["node", "bedrock-guardrail", "check", "--config", write(MINIMAL_CONFIG)]);
    expect(exitSpy).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(0);
    expect(written(stdout)).toContain("bedrock:PutUseCaseForModelAccess");
  });

  it("exit 2 for a missing config file", async () => {
    await main(["node", "bedrock-guardrail", "check", "--config", path.join(dir, "absent.json")]);
    expect(exitSpy).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(2);
    expect(written(stdout)).toBe("");
    expect(written(stderr)).toMatch(/absent\.json: no such file or directory\n/);
  });
});

describe("check runs the definition's rule tests", () => {
  it("prints their count, and exits 1 naming a failing example", () => {
    const good = capture();
    expect(runCheck(guardrailFor(MINIMAL_CONFIG), {}, good.io)).toBe(0);
    expect(good.out()).toMatch(/rule tests: \d+ passed, 0 failed/);

    const g = guardrailFor(MINIMAL_CONFIG);
    const [first, ...rest] = g.rules;
    const wrong = { name: "deliberately wrong", expect: false, record: first.tests[0].record };
    const broken = { ...g, rules: [{ ...first, tests: [...first.tests, wrong] }, ...rest] };
    const bad = capture();
    expect(runCheck(broken, {}, bad.io)).toBe(2);
    expect(bad.out()).toContain(
      "FAIL bedrock-model-access-enabled: deliberately wrong: expected no match, got a match",
    );
    expect(bad.out()).toMatch(/check failed: 1 failing rule test\(s\)/);
    // The reason for exit 2 reaches stderr too (stdout may go to a file).
    expect(bad.err()).toContain(
      "check: rule test failed: bedrock-model-access-enabled: deliberately wrong: expected no match, got a match",
    );
  });
});

describe("check warns of the correlation rules a cloudwatch-logs monitor does not run", () => {
  const onBackend = (backend: MonitorBackend, enabled = true) =>
    guardrailFor({
      ...MINIMAL_CONFIG,
      monitor: { enabled, backend, cloudwatchLogs: { logGroups: ["org-trail"] }, athena: { bucket: "org-trail" } },
    });
  const offMonitor = (err: string) => err.split("\n").filter((l) => l.includes("the scheduled job does not run"));

  it("names each rule but the threshold ones, with the reason and where it runs, and still passes", () => {
    const g = onBackend("cloudwatch-logs");
    const skipped = g.correlationRules.filter((r) => r.kind !== "threshold");
    expect(skipped.length).toBeGreaterThan(0);
    const c = capture();
    expect(runCheck(g, {}, c.io)).toBe(0);
    const lines = offMonitor(c.err());
    expect(lines.map((l) => /does not run (\S+) \(/.exec(l)?.[1])).toEqual(skipped.map((r) => r.id));
    for (const [i, line] of lines.entries())
      expect(line).toMatch(
        new RegExp(
          `^check: warning: monitor\\.backend cloudwatch-logs: the scheduled job does not run ${skipped[i].id} ` +
            `\\(${skipped[i].kind}\\): .+; it runs with detect and hunt, and in the cloudtrail-lake and athena ` +
            "queries and monitor$",
        ),
      );
    expect(c.out()).toMatch(new RegExp(`check passed with ${skipped.length + 1} warning\\(s\\)`));
    const json = capture();
    runCheck(g, { json: true }, json.io);
    expect(
      JSON.parse(json.out()).findings.filter((f: { code: string }) => f.code === "rule-off-monitor-backend"),
    ).toHaveLength(skipped.length);
  });

  it("says nothing on the backends that run them, or without a monitor", () => {
    for (const g of [onBackend("cloudtrail-lake"), onBackend("athena"), onBackend("cloudwatch-logs", false)]) {
      const c = capture();
      expect(runCheck(g, {}, c.io)).toBe(0);
      expect(offMonitor(c.err())).toEqual([]);
    }
  });
});

describe("check warns of the IAM rules a real-time path without IAM's Region never runs in real time", () => {
  const realtime = (regions: string[], base = MINIMAL_CONFIG) =>
    guardrailFor({ ...base, monitor: { eventbridge: { enabled: true, regions } } });
  // From "warning:" on: the line's program-name prefix depends on how the CLI was entered.
  const gapLines = (err: string) =>
    err
      .split("\n")
      .filter((l) => l.includes("the only Region where IAM's events"))
      .map((l) => l.slice(l.indexOf("warning: ")));

  it("names the Region and every rule on IAM calls, and still passes", () => {
    const g = realtime(["eu-west-1", "us-west-2"]);
    const iamRules = g.rules.filter((r) => r.eventSource === "iam.amazonaws.com").map((r) => r.id);
    expect(iamRules.length).toBeGreaterThan(1);
    const c = capture();
    expect(runCheck(g, {}, c.io)).toBe(0);
    expect(gapLines(c.err())).toEqual([
      "warning: monitor.eventbridge.regions does not list us-east-1, the only Region where IAM's events " +
        `reach EventBridge: ${iamRules.join(", ")} alert only at the scheduled job's next run, not in real time ` +
        "(add us-east-1)",
    ]);
  });

  it("says nothing when the Region is listed, names GovCloud's own IAM Region there", () => {
    const listed = capture();
    runCheck(realtime(["us-east-1", "eu-west-1"]), {}, listed.io);
    expect(gapLines(listed.err())).toEqual([]);
    const gov = capture();
    runCheck(realtime(["us-gov-east-1"], GOVCLOUD_CONFIG), {}, gov.io);
    expect(gapLines(gov.err())[0]).toContain("does not list us-gov-west-1,");
  });
});
