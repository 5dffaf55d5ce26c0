import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { loadGuardrailFor } from "../../src/cli/common";
import { addConfigOptions } from "../../src/cli/options";
import { buildProgram } from "../../src/cli/index";

let cwd: string;
beforeEach(() => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), "cli-common-"));
});
afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

const sink = () => {
  let text = "";
  return { write: (s: string) => void (text += s), text: () => text };
};

describe("loadGuardrailFor", () => {
  it("reads --config and --definition relative to the command's working directory", () => {
    fs.writeFileSync(
      path.join(cwd, "my.config.json"),
      JSON.stringify({ approvedPrincipalArns: ["arn:aws:iam::*:role/Approved"] }),
    );
    const definition = JSON.parse(
      fs.readFileSync(path.join(__dirname, "../../policies/bedrock-model-access.json"), "utf8"),
    );
    definition.detection.schedule.lookbackMinutes = 17;
    fs.writeFileSync(path.join(cwd, "def.json"), JSON.stringify(definition));
    const stderr = sink();
    const g = loadGuardrailFor({ config: "my.config.json", definition: "def.json" }, { stderr, env: {}, cwd });
    expect(stderr.text()).toBe("");
    expect(g?.config.approvedPrincipalArns).toEqual(["arn:aws:iam::*:role/Approved"]);
    expect(g?.definition.detection.schedule.lookbackMinutes).toBe(17);
  });

  it("names the config file in a problem only the compiled guardrail finds (a disabled rule that is none)", () => {
    const file = path.join(cwd, "my.config.json");
    const config = { approvedPrincipalArns: ["arn:aws:iam::*:role/A"], detection: { disabledRules: ["no-such"] } };
    fs.writeFileSync(file, JSON.stringify(config));
    const stderr = sink();
    expect(loadGuardrailFor({ config: "my.config.json" }, { stderr, env: {}, cwd })).toBeUndefined();
    expect(stderr.text()).toContain(`${file} is invalid:\n  - detection.disabledRules[0]: no rule "no-such"`);
  });

  it("takes $GUARDRAIL_CONFIG when --config is absent", () => {
    fs.writeFileSync(
      path.join(cwd, "env.json"),
      JSON.stringify({ approvedPrincipalArns: ["arn:aws:iam::*:role/FromEnv"] }),
    );
    const g = loadGuardrailFor({}, { stderr: sink(), env: { GUARDRAIL_CONFIG: "env.json" }, cwd });
    expect(g?.config.approvedPrincipalArns).toEqual(["arn:aws:iam::*:role/FromEnv"]);
  });

  it("writes the config problems and returns undefined on a config error", () => {
    fs.writeFileSync(path.join(cwd, "guardrail.config.json"), JSON.stringify({ approvedPrincipalArns: ["*"] }));
    const stderr = sink();
    expect(loadGuardrailFor({}, { stderr, env: {}, cwd })).toBeUndefined();
    expect(stderr.text()).toMatch(
      /^bedrock-guardrail: \S*guardrail\.config\.json is invalid:\n {2}- approvedPrincipalArns\[0\]/,
    );
  });

  it("a missing config file is a config error, unless the command runs without one", () => {
    const strict = sink();
    expect(loadGuardrailFor({}, { stderr: strict, env: {}, cwd })).toBeUndefined();
    // The default, looked for because nothing named a config: the line says so and how to name one.
    expect(strict.text()).toContain(
      "guardrail.config.json: no such file or directory (the default config: name yours with --config FILE or " +
        "$GUARDRAIL_CONFIG)\n",
    );

    let said = 0;
    const lenient = sink();
    const g = loadGuardrailFor({}, { stderr: lenient, env: {}, cwd }, { onNoConfig: () => void said++ });
    expect(said).toBe(1);
    expect(lenient.text()).toBe("");
    expect(g?.config.approvedPrincipalArns).toEqual([]);
  });

  it("an explicit --config that does not exist is an error even for a command that runs without one", () => {
    const stderr = sink();
    expect(
      loadGuardrailFor({ config: "absent.json" }, { stderr, env: {}, cwd }, { onNoConfig: () => undefined }),
    ).toBeUndefined();
    expect(stderr.text()).toMatch(/absent\.json: no such file or directory\n/);
  });

  it("a config $GUARDRAIL_CONFIG names that does not exist is named, not called the default", () => {
    const stderr = sink();
    expect(loadGuardrailFor({}, { stderr, env: { GUARDRAIL_CONFIG: "gone.json" }, cwd })).toBeUndefined();
    expect(stderr.text()).toMatch(/gone\.json: no such file or directory\n/);
  });
});

describe("--config and --definition", () => {
  it("every command that reads the guardrail takes both, worded the same", () => {
    const reference = addConfigOptions(new Command("x")).options.map((o) => [o.flags, o.description]);
    const program = buildProgram();
    const readers = program.commands.filter((c) => c.options.some((o) => o.long === "--config"));
    expect(readers.map((c) => c.name()).sort()).toEqual([
      "athena-ddl",
      "check",
      "detect",
      "hunt",
      "policy",
      "preview",
      "query",
      "remediate",
      "run-once",
      "synth",
      "undo",
      "verify",
    ]);
    for (const command of readers) {
      const options = command.options
        .filter((o) => o.long === "--config" || o.long === "--definition")
        .map((o) => [o.flags, o.description]);
      expect(options).toEqual(reference);
    }
  });
});
