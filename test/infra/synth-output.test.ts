/**
 * A failed synth removes the previous plan and only that: what a cdktf synth wrote (a manifest.json
 * listing stacks, and stacks/), never the other files of a folder `--out` points at.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../src/config/load";
import { synthGuardrail } from "../../src/infra/synth";
import { guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-output-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A synth whose config is bad; returns what it said on stderr. */
function failedSynth(outdir: string): string {
  let stderr = "";
  const code = synthGuardrail(
    () => {
      throw new ConfigError("guardrail.config.json", ["approvedPrincipalArns[0]: bad"]);
    },
    outdir,
    { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } },
  );
  expect(code).toBe(2);
  return stderr;
}

/** What a synth said on stderr besides the lint's warnings (which it prints there too). */
const besidesWarnings = (stderr: string): string =>
  stderr
    .split(/(?<=\n)/)
    .filter((l) => !l.startsWith("warning: "))
    .join("");

const write = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
const CDKTF_MANIFEST = JSON.stringify({
  version: "0.21.0",
  stacks: { monitor: { workingDirectory: "stacks/monitor" } },
});

it("removes a previous cdktf output whole when nothing else is in it", () => {
  const out = path.join(dir, "cdktf.out");
  write(path.join(out, "manifest.json"), CDKTF_MANIFEST);
  write(path.join(out, "stacks", "monitor", "cdk.tf.json"), "{}");
  expect(failedSynth(out)).toContain(`the previous ${out} was removed`);
  expect(fs.existsSync(out)).toBe(false);
});

it("keeps the other files of the folder: only the manifest and stacks/ go", () => {
  write(path.join(dir, "manifest.json"), CDKTF_MANIFEST);
  write(path.join(dir, "stacks", "monitor", "cdk.tf.json"), "{}");
  write(path.join(dir, "README.md"), "mine");
  failedSynth(dir);
  expect(fs.readdirSync(dir)).toEqual(["README.md"]);
});

it.each([
  ["a web app's manifest", JSON.stringify({ name: "app", icons: [] })],
  ["a manifest whose stacks are not an object", JSON.stringify({ stacks: ["monitor"] })],
  ["a manifest that is not JSON", "{"],
])("leaves a folder alone whose manifest.json is not a cdktf one: %s", (_, manifest) => {
  write(path.join(dir, "manifest.json"), manifest);
  write(path.join(dir, "stacks", "mine.txt"), "mine");
  const stderr = failedSynth(dir);
  expect(stderr).toContain("nothing was synthesized\n");
  expect(stderr).not.toContain("removed");
  expect(fs.readdirSync(dir).sort()).toEqual(["manifest.json", "stacks"]);
});

it("synthesizes nothing when a rule fails its own examples, naming the example", () => {
  const g = guardrailFor(MINIMAL_CONFIG);
  const [first, ...rest] = g.rules;
  const wrong = { name: "deliberately wrong", expect: false, record: first.tests[0].record };
  const broken = { ...g, rules: [{ ...first, tests: [...first.tests, wrong] }, ...rest] };
  const out = path.join(dir, "cdktf.out");
  let stderr = "";
  const code = synthGuardrail(() => broken, out, {
    stdout: { write: () => true },
    stderr: { write: (t: string) => (stderr += t) },
  });
  expect(code).toBe(2);
  expect(besidesWarnings(stderr)).toBe(
    "rule test failed: bedrock-model-access-enabled: deliberately wrong: expected no match, got a match\n" +
      "nothing was synthesized\n",
  );
  expect(fs.existsSync(out)).toBe(false);
});

it("synthesizes nothing when a rule's EventBridge pattern cannot fit the pattern size quota, naming both", () => {
  const eventbridge = { enabled: true, regions: ["us-east-1"], maxPatternChars: 256 };
  const g = guardrailFor({ ...MINIMAL_CONFIG, monitor: { eventbridge } });
  const out = path.join(dir, "cdktf.out");
  let stderr = "";
  const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
  expect(synthGuardrail(() => g, out, io)).toBe(2);
  expect(besidesWarnings(stderr)).toMatch(
    new RegExp(
      String.raw`^monitor\.eventbridge: rule [a-z-]+(, [a-z-]+)*: needs an EventBridge pattern of \d+ characters, ` +
        String.raw`over the 256 of monitor\.eventbridge\.maxPatternChars .*\nnothing was synthesized\n$`,
    ),
  );
  expect(fs.existsSync(out)).toBe(false);
});

it("an output directory that cannot be made is one line naming it (the option, in the CLI), exit 1", () => {
  const file = path.join(dir, "package.json");
  write(file, "{}");
  let stderr = "";
  const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
  const guardrail = guardrailFor(MINIMAL_CONFIG);
  expect(synthGuardrail(() => guardrail, file, { ...io, outdirOption: "--out" })).toBe(1);
  expect(besidesWarnings(stderr)).toBe(`--out ${file}: a part of the path is not a directory\n`);
  stderr = "";
  expect(synthGuardrail(() => guardrail, path.join(file, "deeper"), io)).toBe(1);
  expect(besidesWarnings(stderr)).toBe(`${path.join(file, "deeper")}: a part of the path is not a directory\n`);
  expect(fs.readFileSync(file, "utf8")).toBe("{}");
  // A newline in the path does not split the line; a long path is cut.
  stderr = "";
  expect(synthGuardrail(() => guardrail, path.join(file, `a\nb${"x".repeat(300)}`), io)).toBe(1);
  expect(besidesWarnings(stderr).split("\n")).toHaveLength(2);
  expect(besidesWarnings(stderr)).toMatch(
    /\/a bx+\.\.\. \(\d+ more characters\): a part of the path is not a directory\n$/,
  );
});

it("prints on stderr, with the lint's warnings, each correlation rule a cloudwatch-logs monitor does not run", () => {
  const monitor = { backend: "cloudwatch-logs" as const, cloudwatchLogs: { logGroups: ["org-trail"] } };
  const guardrail = guardrailFor({ ...MINIMAL_CONFIG, monitor });
  const skipped = guardrail.correlationRules.filter((r) => r.kind !== "threshold").map((r) => r.id);
  expect(skipped.length).toBeGreaterThan(0);
  let stdout = "";
  let stderr = "";
  // An output path that cannot be made stops synth after the lint, before anything is built.
  const file = path.join(dir, "package.json");
  write(file, "{}");
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  expect(synthGuardrail(() => guardrail, file, io)).toBe(1);
  // Warnings are no output: stdout, which pipelines capture, has only the paths written (none here).
  expect(stdout).toBe("");
  const warned = stderr
    .split("\n")
    .flatMap((l) => /^warning: .* the scheduled job does not run (\S+) \(/.exec(l)?.[1] ?? []);
  expect(warned).toEqual(skipped);
});
