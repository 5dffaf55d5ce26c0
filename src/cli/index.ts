/**
 * `bedrock-guardrail` command line. Each command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`. The CLI never imports cdktf: Terraform is synthesized by main.ts (`npm run synth`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import * as athenaDdl from "./commands/athena-ddl";
import * as check from "./commands/check";
import * as detect from "./commands/detect";
import * as policy from "./commands/policy";
import * as query from "./commands/query";
import * as remediate from "./commands/remediate";
import * as runOnce from "./commands/run-once";
import * as schema from "./commands/schema";
import * as undo from "./commands/undo";
import * as verify from "./commands/verify";
import { exitQuietlyOnClosedStdout } from "./closed-pipe";
import { EXIT } from "./exit-codes";

type Registrar = (program: Command) => void;

/** Commands in the order `--help` lists them. Add a command by adding its module here. */
const COMMANDS: Registrar[] = [
  policy.register,
  check.register,
  schema.register,
  detect.register,
  query.register,
  athenaDdl.register,
  remediate.register,
  undo.register,
  runOnce.register,
  verify.register,
];

/** The package version, from the nearest package.json above this module (src/ or dist/src/). */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file))
      return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
    if (path.dirname(dir) === dir) return "unknown";
  }
}

export function buildProgram(): Command {
  const program = new Command("bedrock-guardrail")
    .description(
      "Prevent, detect and respond to unauthorized Amazon Bedrock model enablement across an AWS Organization.",
    )
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  exitQuietlyOnClosedStdout();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other parse problem is a usage error.
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    // Anything else is a run that failed (an AWS call, a file system error, a bug), not a usage
    // error: exit 1 as run-once and verify do when they catch such a failure themselves.
    process.stderr.write(`bedrock-guardrail: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.INCOMPLETE;
  }
}

if (require.main === module) void main(process.argv);
