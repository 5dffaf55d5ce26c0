/**
 * `bedrock-guardrail` command line. Each command lives in src/cli/commands/<name>.ts and exports
 * `register(program)`. Only `synth` loads cdktf (an optional peer dependency), the same synth as main.ts
 * (`npm run synth`).
 *
 * Start-up is lazy: only the module of the command being run is loaded (and with it the AWS SDK only
 * for commands that call AWS); `--version` and `--help` load none. The top-level help lists the
 * commands from the table below.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, CommanderError, type Option } from "commander";
import { oneLine } from "../errors/error-text";
import { exitQuietlyOnClosedStdout } from "./closed-pipe";
import { EXIT } from "./exit-codes";
import { DEBUG_ENV_VAR, linePrefix, reportError, setRunningCommand } from "./report";

type Registrar = (program: Command) => void;

export interface CommandEntry {
  name: string;
  /** One line for the top-level help; the command's own --help has its full description. */
  summary: string;
  load: () => { register: Registrar };
}

/** Commands in the order `--help` lists them. Add a command by adding its module here. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "policy", summary: "Print the SCP document(s)", load: () => require("./commands/policy") },
  {
    name: "check",
    summary: "Validate the config, lint the SCP, run the rule tests, print the decision table",
    load: () => require("./commands/check"),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of guardrail.config.json",
    load: () => require("./commands/schema"),
  },
  {
    name: "detect",
    summary: "Run the detection rules over local CloudTrail files, directories or stdin",
    load: () => require("./commands/detect"),
  },
  {
    name: "preview",
    summary: "Replay CloudTrail history through the SCPs: what they would have denied, and the change that allows it",
    load: () => require("./commands/preview"),
  },
  {
    name: "query",
    summary: "Print the rule compiled for CloudTrail Lake, Logs Insights, EventBridge or Athena",
    load: () => require("./commands/query"),
  },
  {
    name: "hunt",
    summary: "Run the detection rules over the organization trail's S3 archive with Athena",
    load: () => require("./commands/hunt"),
  },
  {
    name: "athena-ddl",
    summary: "Print the Athena table for the organization trail's S3 archive",
    load: () => require("./commands/athena-ddl"),
  },
  {
    name: "remediate",
    summary: "Plan (default) or perform (--execute) the remediation of findings",
    load: () => require("./commands/remediate"),
  },
  { name: "undo", summary: "Reverse one remediation action", load: () => require("./commands/undo") },
  {
    name: "run-once",
    summary: "Run the monitor's query job once with local credentials",
    load: () => require("./commands/run-once"),
  },
  { name: "verify", summary: "Check the guardrail SCP for drift", load: () => require("./commands/verify") },
  {
    name: "synth",
    summary: "Write the Terraform JSON of every stack (as npm run synth)",
    load: () => require("./commands/synth"),
  },
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

/** The command argv names (`help detect` names detect), or undefined for --version, --help or no command. */
export function commandNamed(
  args: readonly string[],
  commands: readonly CommandEntry[] = COMMANDS,
): string | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return commands.some((c) => c.name === name) ? name : undefined;
}

/**
 * The program. With `argv`, only the command it names is loaded (the others are listed by name and
 * summary for --help and for "unknown command" suggestions); without, every command is loaded.
 */
export function buildProgram(argv?: readonly string[], commands: readonly CommandEntry[] = COMMANDS): Command {
  const program = new Command("bedrock-guardrail")
    .description(
      "Prevent, detect and respond to unauthorized Amazon Bedrock model enablement across an AWS Organization.",
    )
    .version(packageVersion())
    .option("--debug", `print stack traces with errors (or set ${DEBUG_ENV_VAR}=1)`)
    .exitOverride();
  reportUsageErrorsOnOneLine(program, program.name(), program.name());
  const wanted = argv === undefined ? undefined : commandNamed(argv.slice(2), commands);
  for (const entry of commands) {
    if (argv === undefined || entry.name === wanted) {
      entry.load().register(program);
      program.commands.at(-1)?.summary(entry.summary);
    } else program.command(entry.name).summary(entry.summary);
  }
  refuseRepeatedOptions(program);
  for (const command of program.commands) {
    reportUsageErrorsOnOneLine(command, command.name(), `${program.name()} ${command.name()}`);
    refuseRepeatedOptions(command);
  }
  return program;
}

/**
 * Whether `option` may be given more than once: its values are a list (variadic, or collected by its parser), which
 * its help says: "(repeatable". Any other option given twice would keep only the last value, unsaid.
 */
const isRepeatable = (option: Option): boolean => option.variadic || /\(repeatable\b/.test(option.description);

/**
 * Makes an option of `command` that is not repeatable, given twice (`--jobs 1 --jobs 2`, `-c a --config b`), the
 * usage error that names it, rather than commander's default of keeping the last value. A program is parsed once.
 */
function refuseRepeatedOptions(command: Command): void {
  const given = new Set<string>();
  for (const option of command.options as Option[]) {
    if (isRepeatable(option)) continue;
    const name = option.name();
    command.on(`option:${name}`, () => {
      if (given.has(name))
        command.error(`error: option '${option.flags}' given more than once (it is not repeatable)`, {
          code: "bedrock-guardrail.repeatedOption",
        });
      given.add(name);
    });
  }
}

/**
 * A usage error (unknown option or command, missing value, invalid choice) is one line on stderr with
 * the prefix every line of the command has, and where the help is: `detect: unknown option '--bogus'
 * (see bedrock-guardrail detect --help)`. Commander's own text starts with "error: ", may put a
 * suggestion on a second line and quotes the value given in full; the help itself is not repeated.
 */
function reportUsageErrorsOnOneLine(command: Command, prefix: string, helpFor: string): void {
  command.configureOutput({
    outputError: (text, write) => write(usageErrorLine(prefix, text, helpFor)),
  });
}

/** `<prefix>: <message> (see <helpFor> --help)`, the message from commander's error text. */
function usageErrorLine(prefix: string, commanderText: string, helpFor: string): string {
  return `${prefix}: ${oneLine(commanderText.replace(/^error:\s*/, ""))} (see ${helpFor} --help)\n`;
}

/**
 * `help X` for an X that is no command is the usage error `X` alone is (one line, with commander's
 * suggestion), not the whole help on stderr.
 */
function withoutHelpOfUnknownCommand(argv: readonly string[]): string[] {
  const at = argv.findIndex((a, i) => i >= 2 && !a.startsWith("-"));
  const next = argv[at + 1];
  const unknown = at >= 0 && argv[at] === "help" && next !== undefined && !next.startsWith("-");
  return unknown && !COMMANDS.some((c) => c.name === next) ? argv.filter((_, i) => i !== at) : [...argv];
}

/** `--debug` anywhere before `--` turns debug mode on for the whole run (errors raised before parsing too). */
function enableDebugFlag(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const end = argv.indexOf("--");
  if ((end < 0 ? argv : argv.slice(0, end)).includes("--debug")) env[DEBUG_ENV_VAR] = "1";
}

/**
 * The AWS SDK prints a 9-line notice on every command under Node 20 (its releases from 2027 need Node
 * 22); the SDK's documented switch turns it off unless the user set it. docs/cli.md says so once.
 */
const SDK_NODE_WARNING_ENV = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

export async function main(argv: string[]): Promise<void> {
  process.env[SDK_NODE_WARNING_ENV] ??= "true";
  setRunningCommand(commandNamed(argv.slice(2)));
  exitQuietlyOnClosedStdout();
  enableDebugFlag(argv, process.env);
  try {
    await buildProgram(argv).parseAsync(withoutHelpOfUnknownCommand(argv));
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every other parse problem is a usage error.
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    // Anything else is a run that failed (an AWS call, a file system error, a bug), not a usage
    // error: one line (the stack with --debug), exit 1 as the commands do when they catch it themselves.
    reportError(process.stderr, linePrefix(), e);
    process.exitCode = EXIT.INCOMPLETE;
  }
}

if (require.main === module) void main(process.argv);
