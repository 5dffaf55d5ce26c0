import { buildProgram, packageVersion } from "../../src/cli/index";
import pkg from "../../package.json";

describe("bedrock-guardrail program", () => {
  it("reports the package's version", () => {
    expect(packageVersion()).toBe(pkg.version);
    const out: string[] = [];
    const program = buildProgram().configureOutput({ writeOut: (s) => out.push(s) });
    expect(() => program.parse(["node", "bedrock-guardrail", "--version"])).toThrow(expect.objectContaining({ exitCode: 0 }));
    expect(out.join("")).toBe(`${pkg.version}\n`);
  });

  it("lists every command in --help", () => {
    const help = buildProgram().helpInformation();
    for (const name of ["policy", "check", "schema", "detect", "query", "remediate", "undo", "run-once", "verify"]) expect(help).toMatch(new RegExp(`\\n  ${name}\\b`));
  });
});
