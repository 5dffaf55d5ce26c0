/**
 * `synth`: the Terraform JSON of every stack, as `npm run synth` writes it, for pipelines that have
 * neither the cdktf CLI nor this repository. The cdktf library, the AWS provider bindings and
 * constructs are optional peer dependencies of the package (most installs only run the other
 * commands): without them this command says what to install.
 */
import * as path from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { packageRoot } from "../../guardrail/rule-files";
import { guardrailForOptions } from "../common";
import { EXIT } from "../exit-codes";
import { addConfigOptions, type ConfigOption } from "../options";
import { linePrefix } from "../report";

interface SynthOptions extends ConfigOption {
  out: string;
}

/** The peer dependencies synth loads, as `name@range` from package.json. */
function peerInstallHint(): string {
  const pkg = require(path.join(packageRoot(), "package.json")) as { peerDependencies: Record<string, string> };
  return Object.entries(pkg.peerDependencies)
    .map(([name, range]) => `"${name}@${range}"`)
    .join(" ");
}

/** The synth module, or undefined after saying which peer dependency is missing. */
function loadSynth(): typeof import("../../infra/synth") | undefined {
  try {
    return require("../../infra/synth");
  } catch (e) {
    const missing = /Cannot find module '([^']+)'/.exec(String((e as Error).message))?.[1];
    if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND" || missing?.startsWith(".")) throw e;
    process.stderr.write(
      `${linePrefix()}: needs ${missing}, an optional peer dependency: npm install ${peerInstallHint()}\n`,
    );
    return undefined;
  }
}

export function register(program: Command): void {
  addConfigOptions(program.command("synth"))
    .description(
      "Write the Terraform JSON of every stack (as `npm run synth`: cdktf.out/stacks/<stack>/cdk.tf.json); " +
        "a config or lint error or a failing rule test writes nothing and removes the previous output",
    )
    .addOption(
      new Option("-o, --out <dir>", "output directory").default("cdktf.out").argParser((value: string) => {
        if (value.trim() === "") throw new InvalidArgumentError("It must name a directory.");
        return value;
      }),
    )
    .action((opts: SynthOptions) => {
      const synth = loadSynth();
      if (!synth) {
        process.exitCode = EXIT.USAGE;
        return;
      }
      process.exitCode = synth.synthGuardrail(() => guardrailForOptions(opts, process.env, process.cwd()), opts.out, {
        stdout: process.stdout,
        stderr: synth.prefixedLines(linePrefix(), process.stderr),
        outdirOption: "--out",
      });
    });
}
