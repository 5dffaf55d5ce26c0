import { Command } from "commander";
import { buildProgram, COMMANDS, commandNamed, main, packageVersion } from "../../src/cli/index";
import pkg from "../../package.json";

describe("bedrock-guardrail program", () => {
  it("reports the package's version", () => {
    expect(packageVersion()).toBe(pkg.version);
    const out: string[] = [];
    const program = buildProgram().configureOutput({ writeOut: (s) => out.push(s) });
    expect(() => program.parse(["node", "bedrock-guardrail", "--version"])).toThrow(
      expect.objectContaining({ exitCode: 0 }),
    );
    expect(out.join("")).toBe(`${pkg.version}\n`);
  });

  it("lists every command in --help", () => {
    const help = buildProgram().helpInformation();
    for (const name of ["policy", "check", "schema", "detect", "query", "remediate", "undo", "run-once", "verify"])
      expect(help).toMatch(new RegExp(`\\n  ${name}\\b`));
  });
});

describe("bedrock-guardrail exit codes", () => {
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("exits 2 for a usage error and 1 for a run that failed unexpectedly", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    await main(["node", "bedrock-guardrail", "no-such-command"]);
    expect(process.exitCode).toBe(2);

    process.exitCode = undefined;
    const failing = jest
      .spyOn(Command.prototype, "parseAsync")
      .mockRejectedValueOnce(new Error("ExpiredToken: the security token has expired"));
    await main(["node", "bedrock-guardrail", "verify"]);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(process.exitCode).toBe(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain(
      "ExpiredToken: the security token has expired",
    );
  });
});

describe("usage errors", () => {
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  async function usageError(...args: string[]): Promise<string> {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    await main(["node", "bedrock-guardrail", ...args]);
    expect(process.exitCode).toBe(2);
    expect(stdout).not.toHaveBeenCalled();
    const text = stderr.mock.calls.map((c) => String(c[0])).join("");
    jest.restoreAllMocks();
    process.exitCode = undefined;
    return text;
  }

  it("are one line with the command's prefix and where its help is, never the whole help", async () => {
    expect(await usageError("detect", "--bogus")).toBe(
      "detect: unknown option '--bogus' (see bedrock-guardrail detect --help)\n",
    );
    expect(await usageError("detect", "--rule")).toBe(
      "detect: option '--rule <id>' argument missing (see bedrock-guardrail detect --help)\n",
    );
    expect(await usageError("undo")).toBe(
      "undo: required option '--action-id <id>' not specified (see bedrock-guardrail undo --help)\n",
    );
    // The mistake first: an unknown option, not the required one it may be a typo of.
    expect(await usageError("undo", "--bogus")).toBe(
      "undo: unknown option '--bogus' (see bedrock-guardrail undo --help)\n",
    );
    expect(await usageError("undo", "--action-di", "ra-1")).toBe(
      "undo: unknown option '--action-di' (Did you mean --action-id?) (see bedrock-guardrail undo --help)\n",
    );
    expect(await usageError("preview", "--format", "ocsf", "x")).toBe(
      "preview: option '-f, --format <format>' argument 'ocsf' is invalid. Allowed choices are table, json, ndjson. " +
        "(see bedrock-guardrail preview --help)\n",
    );
    expect(await usageError("run-once", "--backend", "eventbridge")).toBe(
      "run-once: option '--backend <backend>' argument 'eventbridge' is invalid. " +
        "Allowed choices are cloudtrail-lake, cloudwatch-logs, athena. (see bedrock-guardrail run-once --help)\n",
    );
  });

  it("an empty synth --out is a usage error, not a file system error", async () => {
    expect(await usageError("synth", "--out", "")).toBe(
      "synth: option '-o, --out <dir>' argument '' is invalid. It must name a directory. " +
        "(see bedrock-guardrail synth --help)\n",
    );
  });

  it("a whole-number option takes digits only: an empty value is not 0, nor 0x10 sixteen", async () => {
    for (const [command, option, value] of [
      ["detect", "--baseline-days <n>", ""],
      ["detect", "-j, --jobs <n>", "0x10"],
      ["detect", "--max-record-bytes <n>", "1e6"],
      ["preview", "-j, --jobs <n>", " 2"],
      ["preview", "--max-record-bytes <n>", ""],
    ]) {
      const flag = option.replace(/^-j, /, "").replace(/ <n>$/, "");
      expect(await usageError(command, `${flag}=${value}`, "x.json")).toBe(
        `${command}: option '${option}' argument '${value}' is invalid. It must be a whole number (digits only). ` +
          `(see bedrock-guardrail ${command} --help)\n`,
      );
    }
  });

  it("a comma-separated filter that names nothing is refused, not read as no filter", async () => {
    const window = ["--start", "2026-09-01T00:00:00Z", "--end", "2026-09-02T00:00:00Z"];
    for (const [command, flag, value, ...rest] of [
      ["athena-ddl", "--accounts", ",,", "--bucket", "b-1"],
      ["hunt", "--regions", "", ...window],
      ["query", "--accounts", " , ", "--backend", "athena"],
      ["preview", "--regions", ",", "--backend", "athena", ...window],
    ])
      expect(await usageError(command, `${flag}=${value}`, ...rest)).toBe(
        `${command}: ${flag}: ${JSON.stringify(value)} lists no value (give A,B,...)\n`,
      );
  });

  it("a --region that is no AWS region is a usage error, before any AWS call", async () => {
    for (const command of ["hunt", "run-once", "preview"])
      expect(await usageError(command, "--region", "not a region")).toBe(
        `${command}: option '--region <region>' argument 'not a region' is invalid. ` +
          `It must be an AWS region such as us-east-1. (see bedrock-guardrail ${command} --help)\n`,
      );
  });

  it("a --region of a partition this tool does not support is a usage error, as in the config", async () => {
    expect(await usageError("hunt", "--region", "us-iso-east-1")).toBe(
      "hunt: option '--region <region>' argument 'us-iso-east-1' is invalid. It is in the aws-iso partition, " +
        "which this tool does not support. (see bedrock-guardrail hunt --help)\n",
    );
  });

  it("a --region this version does not know is a warning, not refused: AWS adds Regions", async () => {
    const config = "no-such-dir/guardrail.config.json";
    for (const command of ["hunt", "run-once", "preview"]) {
      // The config that does not exist (preview: no input) stops the command after parsing, before any AWS call.
      const [warning] = (await usageError(command, "--region", "us-esat-1", "--config", config)).split("\n");
      expect(warning).toBe(
        `${command}: warning: --region us-esat-1 is not a region this version knows; if AWS added it, ignore this`,
      );
    }
    expect(await usageError("hunt", "--region", "eu-west-1", "--config", config)).not.toContain("warning");
  });

  it("before a command is known start with the program's name", async () => {
    expect(await usageError("no-such-command")).toBe(
      "bedrock-guardrail: unknown command 'no-such-command' (see bedrock-guardrail --help)\n",
    );
    // commander's suggestion, on a line of its own in commander's text, joins the one line
    expect(await usageError("detcet")).toBe(
      "bedrock-guardrail: unknown command 'detcet' (Did you mean detect?) (see bedrock-guardrail --help)\n",
    );
    expect(await usageError("help", "detct")).toBe(
      "bedrock-guardrail: unknown command 'detct' (Did you mean detect?) (see bedrock-guardrail --help)\n",
    );
    expect(await usageError("--bogus", "detect")).toBe(
      "bedrock-guardrail: unknown option '--bogus' (see bedrock-guardrail --help)\n",
    );
  });

  it("cut a long value instead of echoing it", async () => {
    const line = await usageError("detect", "--format", `${"x".repeat(5000)}\nsecond`, "-");
    expect(line.split("\n")).toHaveLength(2);
    expect(line.length).toBeLessThan(500);
    expect(line).toMatch(/^detect: option '-f, --format <format>' argument 'x+\.\.\. \(\d+ more characters\) \(see/);
  });
});

describe("lazy command loading", () => {
  function table() {
    const loaded: string[] = [];
    const entries = ["alpha", "beta"].map((name) => ({
      name,
      summary: `the ${name} command`,
      load: () => {
        loaded.push(name);
        return { register: (p: Command) => void p.command(name).option("--real") };
      },
    }));
    return { loaded, entries };
  }

  it("--version and --help load no command module; a command loads only its own", () => {
    for (const args of [["--version"], ["--help"], [], ["--debug"]]) {
      const { loaded, entries } = table();
      const program = buildProgram(["node", "x", ...args], entries);
      expect(loaded).toEqual([]);
      expect(program.helpInformation()).toMatch(/alpha\s+the alpha command\n\s+beta\s+the beta command/);
    }
    const { loaded, entries } = table();
    const program = buildProgram(["node", "x", "--debug", "beta", "--real"], entries);
    expect(loaded).toEqual(["beta"]);
    expect(program.commands.find((c) => c.name() === "beta")?.options.map((o) => o.long)).toEqual(["--real"]);
  });

  it("`help <command>` loads that command for its full help", () => {
    expect(commandNamed(["help", "detect"])).toBe("detect");
    expect(commandNamed(["--debug", "detect", "-"])).toBe("detect");
    expect(commandNamed(["no-such-command"])).toBeUndefined();
  });

  it("the table and the modules agree: each entry registers the command it names", () => {
    for (const entry of COMMANDS) {
      const program = new Command("x");
      entry.load().register(program);
      expect(program.commands.map((c) => c.name())).toEqual([entry.name]);
    }
  });
});

describe("--debug", () => {
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
    delete process.env.BEDROCK_GUARDRAIL_DEBUG;
  });

  it("adds the stack trace to the one line an unexpected failure prints", async () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    jest.spyOn(Command.prototype, "parseAsync").mockRejectedValue(new TypeError("boom"));
    await main(["node", "bedrock-guardrail", "verify"]);
    const quiet = stderr.mock.calls.map((c) => String(c[0])).join("");
    // the running command's name, as every stderr line of a command
    expect(quiet).toBe("verify: TypeError: boom\n");
    stderr.mockClear();
    await main(["node", "bedrock-guardrail", "--debug", "verify"]);
    const loud = stderr.mock.calls.map((c) => String(c[0])).join("");
    expect(loud).toMatch(/^verify: TypeError: boom\nTypeError: boom\n\s+at /);
  });
});
