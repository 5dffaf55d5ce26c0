import { Command } from "commander";
import { buildProgram, main, packageVersion } from "../../src/cli/index";
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
