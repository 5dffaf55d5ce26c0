import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DetectIO, type DetectOptions, runDetect } from "../../src/cli/commands/detect";
import { main } from "../../src/cli/index";
import { EXIT } from "../../src/cli/exit-codes";
import { MINIMAL_CONFIG } from "../support/fixtures";

const ROOT = path.join(__dirname, "..", "..");
const EXAMPLES = path.join(ROOT, "examples", "cloudtrail");
const FIXTURES = path.join(ROOT, "test", "fixtures", "cloudtrail", "scan");
/** The example findings in file order: Panther's tampering records (three rules' positives), then stratus's. */
const PANTHER_IDS = [
  "3105145b-d0ca-41ab-a0fd-73f4f31ccbd1",
  "28773860-a4fd-47c7-a215-6f0e6e6e532f",
  "4d482238-d0c5-4337-800f-d1ed79957fd4",
];
const STRATUS_IDS = [
  "db9c43df-ae6f-4db3-8298-f5f779f74f4d",
  "4031b2d2-5e47-4d71-9eda-4f22702c45f3",
  "8452e2fb-1252-460b-8f58-d3f5333c2630",
];
/** The stratus detonation lists models, then invokes one: bedrock-enumeration-then-invocation, after the files. */
const STRATUS_SEQUENCE_ID = "corr-225c05c7360347db0734d4446345e4e4";
const EXAMPLE_IDS = [...PANTHER_IDS, ...STRATUS_IDS, STRATUS_SEQUENCE_ID];

let tmp: string;
let config: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "detect-cli-"));
  config = path.join(tmp, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(MINIMAL_CONFIG));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function detect(
  paths: string[],
  opts: DetectOptions = {},
  io: Partial<DetectIO> & { tty?: boolean; columns?: number } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runDetect(
    paths,
    { config, ...opts },
    {
      stdout: { write: (s: string) => (out += s), isTTY: io.tty, columns: io.columns },
      stderr: { write: (s: string) => (err += s), isTTY: false },
      cwd: tmp,
      env: {},
      ...io,
    },
  );
  return { code, out, err };
}

describe("detect", () => {
  it("prints the stratus findings from examples/cloudtrail as NDJSON when stdout is not a terminal", async () => {
    const { code, out, err } = await detect([EXAMPLES]);
    expect(code).toBe(EXIT.OK);
    const findings = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(findings.map((f) => f.event.id)).toEqual(EXAMPLE_IDS);
    expect(
      findings
        .slice(PANTHER_IDS.length)
        .every(
          (f) =>
            f.guardrail.principal_arn === "arn:aws:iam::494659789341:role/test-role" && f.guardrail.approved === false,
        ),
    ).toBe(true);
    expect(err).toMatch(
      new RegExp(
        String.raw`^detect: 9 file\(s\), 9 record\(s\) \(0\.0 MB\), 7 finding\(s\), 0 approved suppressed, ` +
          String.raw`0 duplicate\(s\), 0 invalid record\(s\), 0 unreadable in \d+\.\d\d s\n$`,
      ),
    );
  });

  it("prints a table on a terminal and one JSON array with --format json", async () => {
    const table = await detect([EXAMPLES], {}, { tty: true });
    expect(table.out.split("\n")[0]).toMatch(/^TIME\s+SEVERITY\s+RULE\s+ACTION\s+PRINCIPAL\s+MODEL$/);
    expect(table.out).toContain("CreateFoundationModelAgreement");
    expect(table.out).toContain("anthropic.claude-3-sonnet-20240229-v1:0");
    expect(table.out).toMatch(/medium\s+bedrock-model-access-enabled/);
    expect(table.out.trim().split("\n")).toHaveLength(9);
    const json = await detect([EXAMPLES], { format: "json" });
    expect(JSON.parse(json.out).map((f: { event: { id: string } }) => f.event.id)).toEqual(EXAMPLE_IDS);
    expect(
      JSON.parse(
        (
          await detect([path.join(FIXTURES, "archive", "AWSLogs", "111122223333", "CloudTrail-Digest")], {
            format: "json",
          })
        ).out,
      ),
    ).toEqual([]);
  });

  it("the table is in event-time order (files are read in path order) and fits the terminal's width", async () => {
    const times = (out: string) =>
      out
        .trim()
        .split("\n")
        .slice(2)
        .map((l) => l.slice(0, 20));
    const wide = await detect([EXAMPLES], { format: "table" });
    expect(times(wide.out)).toEqual([...times(wide.out)].sort());
    // six events and stratus's enumeration-then-invocation sequence
    expect(times(wide.out)).toHaveLength(7);
    // without a terminal width nothing is cut
    expect(wide.out).toContain("arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin");
    expect(Math.max(...wide.out.split("\n").map((l) => l.length))).toBeGreaterThan(200);
    for (const columns of [160, 120, 100]) {
      const narrow = await detect([EXAMPLES], {}, { tty: true, columns });
      const lines = narrow.out.trimEnd().split("\n");
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(columns);
      expect(times(narrow.out)).toEqual(times(wide.out));
      // cut in the middle: the principal's start and its name both stay
      expect(narrow.out).toMatch(/arn:aws\S*…\S*DevAdmin/);
    }
  });

  it("runs every rule by default; --rule narrows to the named rules (repeatable), refuses an unknown id", async () => {
    const one = await detect([EXAMPLES], { rule: ["bedrock-guardrail-tampering"] });
    expect(one.code).toBe(EXIT.OK);
    const ruleOf = (out: string) =>
      out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).rule.id);
    expect(ruleOf(one.out)).toEqual(["bedrock-guardrail-tampering", "bedrock-guardrail-tampering"]);
    const two = await detect([EXAMPLES], {
      rule: ["bedrock-model-access-enabled", "bedrock-invocation-logging-tampering"],
    });
    expect(ruleOf(two.out).sort()).toEqual([
      "bedrock-invocation-logging-tampering",
      "bedrock-model-access-enabled",
      "bedrock-model-access-enabled",
      "bedrock-model-access-enabled",
    ]);
    const unknown = await detect([EXAMPLES], { rule: ["bedrock-guardrail-tamper"] });
    expect(unknown).toMatchObject({ code: EXIT.USAGE, out: "" });
    expect(unknown.err).toMatch(
      /--rule is invalid:\n {2}- no rule "bedrock-guardrail-tamper" \(rules: bedrock-model-access/,
    );
  });

  it("runs no rule of detection.disabledRules, and --rule naming one says so in one line", async () => {
    const disabledConfig = path.join(tmp, "disabled.config.json");
    const disabledRules = ["bedrock-guardrail-tampering", "bedrock-enumeration-then-invocation"];
    fs.writeFileSync(disabledConfig, JSON.stringify({ ...MINIMAL_CONFIG, detection: { disabledRules } }));
    const { code, out } = await detect([EXAMPLES], { config: disabledConfig });
    expect(code).toBe(EXIT.OK);
    const ids = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event.id);
    // Panther's UpdateGuardrail and DeleteGuardrail were bedrock-guardrail-tampering's findings.
    expect(ids).toEqual(["28773860-a4fd-47c7-a215-6f0e6e6e532f", ...STRATUS_IDS]);
    const named = await detect([EXAMPLES], { config: disabledConfig, rule: ["bedrock-guardrail-tampering"] });
    expect(named).toMatchObject({ code: EXIT.USAGE, out: "" });
    // One line (its prefix names the running command: detect through main(), the program's name here).
    expect(named.err).toMatch(
      /^[a-z-]+: --rule: bedrock-guardrail-tampering is disabled by the config's detection\.disabledRules\n$/,
    );
  });

  it("suppresses approved principals unless --include-approved", async () => {
    const file = path.join(FIXTURES, "approved-and-lookalikes.json");
    const hidden = await detect([file]);
    expect(hidden.out).toBe("");
    expect(hidden.err).toContain("1 approved suppressed");
    const shown = await detect([file], { includeApproved: true });
    expect(JSON.parse(shown.out).guardrail).toMatchObject({ approved: true, exemption: "approved" });
  });

  it("exits 1 when an input is unreadable, naming it and the reason, and still prints the other findings", async () => {
    const { code, out, err } = await detect([
      path.join(FIXTURES, "empty.json"),
      path.join(FIXTURES, "single-record.json"),
    ]);
    expect(code).toBe(EXIT.INCOMPLETE);
    expect(err).toMatch(/empty\.json: unreadable: empty input/);
    expect(out.trim().split("\n")).toHaveLength(1);
  });

  it(
    "--fail-on-findings: 3 for an unapproved finding (even with unreadable inputs), not for approved " + "ones",
    async () => {
      expect((await detect([EXAMPLES], { failOnFindings: true })).code).toBe(EXIT.FAIL_ON_FINDINGS);
      expect((await detect([EXAMPLES, path.join(FIXTURES, "empty.json")], { failOnFindings: true })).code).toBe(
        EXIT.FAIL_ON_FINDINGS,
      );
      const approved = path.join(FIXTURES, "approved-and-lookalikes.json");
      expect((await detect([approved], { failOnFindings: true, includeApproved: true })).code).toBe(EXIT.OK);
    },
  );

  it("exits 1 when a record was skipped or invalid (incomplete scan), 3 with --fail-on-findings", async () => {
    const delivery = JSON.parse(fs.readFileSync(path.join(FIXTURES, "delivery.json"), "utf8")).Records;
    const { eventID: _, ...noId } = delivery[2];
    const cases: [string, string][] = [
      ["bad-line.ndjson", `{"oops": \n${JSON.stringify(delivery[2])}\n`],
      ["no-event-id.ndjson", `${JSON.stringify(noId)}\n${JSON.stringify(delivery[2])}\n`],
    ];
    for (const [name, text] of cases) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, text);
      const r = await detect([file]);
      expect(r.code).toBe(EXIT.INCOMPLETE);
      expect(r.err).toMatch(new RegExp(`${name}: .*line 1 \\(byte 0\\)`));
      expect(r.out.trim().split("\n")).toHaveLength(1);
      expect((await detect([file], { failOnFindings: true })).code).toBe(EXIT.FAIL_ON_FINDINGS);
    }
  });

  it("warns about input that does not look like CloudTrail, and caps --jobs", async () => {
    const file = path.join(tmp, "foo.json");
    fs.writeFileSync(file, '{"foo":1}');
    const r = await detect([file], { jobs: 1000 });
    // nothing but that record: nothing was checked
    expect(r.code).toBe(EXIT.INCOMPLETE);
    expect(r.err).toMatch(/--jobs 1000 is more than twice the cores: using \d+/);
    expect(r.err).toMatch(/foo\.json: warning: 1 record\(s\) do not look like CloudTrail/);
    expect(r.err).toMatch(/1 not CloudTrail/);
    expect((await detect([file], { maxRecordBytes: 10 })).code).toBe(EXIT.USAGE);
  });

  it("a scan that read no CloudTrail record warns and exits 1, --fail-on-findings or not", async () => {
    const dirs = { empty: [], "package files": ["package.json", "tsconfig.json"], logs: ["app.log", "b.log"] };
    for (const [name, files] of Object.entries(dirs)) {
      const dir = fs.mkdtempSync(path.join(tmp, "nothing-"));
      for (const f of files)
        fs.copyFileSync(path.join(ROOT, f.endsWith(".log") ? "package.json" : f), path.join(dir, f));
      for (const failOnFindings of [true, false]) {
        const r = await detect([dir], { failOnFindings });
        expect(`${name}: ${r.code}`).toBe(`${name}: ${EXIT.INCOMPLETE}`);
        expect(r.err).toMatch(/^detect: warning: no CloudTrail record in \d+ file\(s\): nothing was checked/m);
        expect(r.out).toBe("");
      }
    }
    // one CloudTrail record among them is a scan
    const mixed = fs.mkdtempSync(path.join(tmp, "mixed-"));
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(mixed, "package.json"));
    fs.copyFileSync(path.join(FIXTURES, "approved-and-lookalikes.json"), path.join(mixed, "trail.json"));
    const r = await detect([mixed], { includeApproved: true });
    expect(r.err).not.toMatch(/nothing was checked/);
  });

  it("follows symbolic links to directories, skips a link loop with one warning, names a file loop once", async () => {
    const root = fs.mkdtempSync(path.join(tmp, "links-"));
    const archive = path.join(root, "archive");
    fs.mkdirSync(archive);
    fs.copyFileSync(path.join(EXAMPLES, "stratus__CreateFoundationModelAgreement.json"), path.join(archive, "a.json"));
    const tree = path.join(root, "tree");
    fs.mkdirSync(tree);
    fs.symlinkSync(archive, path.join(tree, "linked")); // a linked directory, named like no file
    fs.symlinkSync(tree, path.join(tree, "loop")); // back to itself
    fs.symlinkSync("self.json", path.join(root, "self.json"));
    const r = await detect([tree]);
    expect(r.code).toBe(EXIT.OK);
    expect(
      r.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event.id),
    ).toEqual([STRATUS_IDS[0]]);
    expect(r.err).toMatch(/tree\/loop: warning: skipped: a symbolic link to a directory already scanned/);
    const loop = await detect([path.join(root, "self.json")]);
    expect(loop.code).toBe(EXIT.INCOMPLETE);
    expect(loop.err).toMatch(/self\.json: unreadable: too many levels of symbolic links \(a link loop\)\n/);
    expect(loop.err).not.toMatch(/ELOOP/);
  });

  it("exits 2 on usage and config errors", async () => {
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ approvedPrincipalArns: "nope" }));
    const r = await detect([EXAMPLES], { config: bad });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/approvedPrincipalArns/);
    expect((await detect([], {})).code).toBe(EXIT.USAGE);
    expect((await detect([EXAMPLES], { format: "xml" as never })).code).toBe(EXIT.USAGE);
    expect((await detect([EXAMPLES], { jobs: 0 })).code).toBe(EXIT.USAGE);
  });

  it("runs without any config file, treating every principal as not approved, and says so", async () => {
    const empty = fs.mkdtempSync(path.join(tmp, "no-config-"));
    const r = await detect(
      [path.join(FIXTURES, "approved-and-lookalikes.json")],
      { config: undefined },
      { cwd: empty },
    );
    expect(r.code).toBe(EXIT.OK);
    expect(r.err).toMatch(/no guardrail.config.json/);
    expect(JSON.parse(r.out).guardrail.approved).toBe(false);
  });

  it("reads stdin for -", async () => {
    const r = await detect(
      ["-"],
      {},
      {
        stdin: (async function* () {
          yield fs.readFileSync(path.join(FIXTURES, "records.ndjson"));
        })(),
      },
    );
    expect(
      r.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event.action),
    ).toEqual(["PutUseCaseForModelAccess", "PutFoundationModelEntitlement"]);
  });

  it("shows the bytes read from stdin on a terminal, and erases the line at the end", async () => {
    let err = "";
    const r = await detect(
      ["-"],
      {},
      {
        stderr: { write: (s: string) => (err += s), isTTY: true },
        stdin: (async function* () {
          yield fs.readFileSync(path.join(FIXTURES, "records.ndjson"));
        })(),
      },
    );
    expect(r.code).toBe(EXIT.OK);
    const ERASE = "\x1b[K";
    expect(err).toContain(`\rdetect stdin: 0.0 MB read${ERASE}`);
    expect(err).toContain(`\r${ERASE}detect: 1 file(s)`);
  });
});

describe("bedrock-guardrail detect (commander wiring)", () => {
  it("parses flags and sets the exit code", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, "write").mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const e = jest.spyOn(process.stderr, "write").mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    const before = process.exitCode;
    try {
      await main([
        "node",
        "bedrock-guardrail",
        "detect",
        "--config",
        config,
        "--format",
        "json",
        "--fail-on-findings",
        "--jobs",
        "1",
        EXAMPLES,
      ]);
      expect(process.exitCode).toBe(EXIT.FAIL_ON_FINDINGS);
      await main([
        "node",
        "bedrock-guardrail",
        "detect",
        "--config",
        config,
        "--format",
        "json",
        "--rule",
        "bedrock-guardrail-tampering",
        "--rule",
        "bedrock-invocation-logging-tampering",
        EXAMPLES,
      ]);
    } finally {
      o.mockRestore();
      e.mockRestore();
      process.exitCode = before;
    }
    const [all, narrowed] = out
      .join("")
      .split("\n]")
      .filter((t) => t.trim() !== "")
      .map((t) => JSON.parse(`${t}]`));
    expect(all).toHaveLength(7);
    expect(narrowed).toHaveLength(3);
    expect(err.join("")).toContain("7 finding(s)");
    expect(err.join("")).toContain("3 finding(s)");
  });
});
