/**
 * `bedrock-guardrail` command line. Each command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`. The CLI knows nothing about cdktf beyond asking for a synth.
 */
import { Command, CommanderError } from "commander";
import * as check from "./commands/check";
import * as detect from "./commands/detect";
import * as policy from "./commands/policy";
import * as query from "./commands/query";
import * as remediate from "./commands/remediate";
import * as runOnce from "./commands/run-once";
import * as schema from "./commands/schema";
import * as undo from "./commands/undo";
import * as verify from "./commands/verify";
import { EXIT } from "./exit-codes";

type Registrar = (program: Command) => void;

/** Commands in the order `--help` lists them. Add a command by adding its module here. */
const COMMANDS: Registrar[] = [policy.register, check.register, schema.register, detect.register, query.register, remediate.register, undo.register, runOnce.register, verify.register];

export function buildProgram(): Command {
  const program = new Command("bedrock-guardrail")
    .description("Prevent, detect and respond to unauthorized Amazon Bedrock model enablement across an AWS Organization.")
    .showHelpAfterError()
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other parse problem is a usage error.
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(`bedrock-guardrail: ${(e as Error).stack ?? e}\n`);
    process.exitCode = EXIT.USAGE;
  }
}

if (require.main === module) void main(process.argv);
