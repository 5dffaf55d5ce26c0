/**
 * The options every command that reads the guardrail declares, worded the same everywhere. Apart
 * from common.ts (which loads the config schema) so that a command can declare them without
 * loading it: detect starts its scan workers first, and they boot while the config loads.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { parseArn } from "../arn/arn-like";
import { isKnownRegion, unsupportedPartitionOf } from "../arn/partition";
import { BACKENDS, type BackendName } from "../config/backends";
import { BackendInputError, shown } from "../detection/backends/input-error";
import { AWS_REGION } from "../config/sections/aws";
import { linePrefix } from "./report";

export interface ConfigOption {
  config?: string;
  definition?: string;
}

/** `--rule ID`, repeatable: the commands that run rules (detect, query) run only those. */
export interface RuleOption {
  rule?: string[];
}

/** `-f, --format`, `--include-approved`, `--fail-on-findings`: the commands that print findings (detect, hunt). */
export interface FindingOutputOptions<Format extends string> {
  format?: Format;
  includeApproved?: boolean;
  failOnFindings?: boolean;
}

/** Adds `-c, --config` and `--definition`. */
export function addConfigOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "guardrail config (default: $GUARDRAIL_CONFIG, then ./guardrail.config.json)")
    .option("--definition <file>", "guardrail definition (default: the bundled policies/bedrock-model-access.json)");
}

export function addRuleOption(command: Command): Command {
  return command.option(
    "--rule <id>",
    "run only this detection rule (repeatable; default: every rule, see `check`)",
    (id: string, ids: string[] = []) => [...ids, id],
  );
}

/**
 * Adds the options of a command that prints findings (FindingOutputOptions), worded the same in each. `formats`:
 * format/findings.ts's FORMATS, passed in so that this module, which every command loads, loads no formatter.
 */
export function addFindingOutputOptions(command: Command, formats: readonly string[]): Command {
  return command
    .addOption(
      new Option("-f, --format <format>", "output format (default: table on a terminal, ndjson otherwise)").choices(
        formats,
      ),
    )
    .option("--include-approved", "also print findings by approved principals (suppressed by default)")
    .option("--fail-on-findings", "exit 3 when a finding by a non-approved principal exists");
}

/**
 * `--backend <name>`, one of `names` (src/config/backends.ts). A backend's former name passes too:
 * the command resolves it with backendNamed, which warns.
 */
export function backendOption(description: string, names: readonly BackendName[]): Option {
  const accepted: readonly string[] = names.flatMap((name) => [name, ...BACKENDS[name].formerNames]);
  return new Option(
    "--backend <backend>",
    `${description} (choices: ${names.map((n) => `"${n}"`).join(", ")})`,
  ).argParser((value: string) => {
    if (!accepted.includes(value)) throw new InvalidArgumentError(`Allowed choices are ${names.join(", ")}.`);
    return value;
  });
}

/** The backends name their parameters (limit, start, end); the commands' lines name the options typed instead. */
const OPTION_OF_INPUT: Readonly<Record<string, string>> = {
  limit: "--limit",
  start: "--start",
  end: "--end",
  window: "--start/--end",
  "event data store": "--event-data-store",
};

/** A backend's input problem as `<option>: <problem>` (`--start: "x" is not an ISO-8601 time ...`). */
export function inputProblemText(e: { input: string; problem: string }): string {
  return `${OPTION_OF_INPUT[e.input] ?? e.input}: ${e.problem}`;
}

/**
 * A comma-separated option's values (`--accounts A,B`), blanks dropped; undefined when not given. Given but naming
 * nothing (`--accounts ,,`, `--regions=`) is refused: read as "no filter", it would widen what the user narrowed.
 */
export function commaList(text: string | undefined, flag: string): string[] | undefined {
  if (text === undefined) return undefined;
  const values = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (values.length === 0) throw new BackendInputError(flag, `${shown(text)} lists no value (give A,B,...)`);
  return values;
}

/**
 * Whether an option was given: typed at all, even empty (`--principal=`), which is a request to refuse or act on,
 * never one to drop unsaid; a repeatable option that collected nothing was not.
 */
const isGiven = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : value !== undefined);

/** The flags, in the table's order, of the options of `flags` that `opts` gives. */
export function givenFlags<O extends object>(opts: O, flags: Partial<Record<keyof O, string>>): string[] {
  return (Object.entries(flags) as [keyof O, string][]).flatMap(([key, flag]) => (isGiven(opts[key]) ? [flag] : []));
}

/**
 * The options given (`opts`) that `backend` does not read, each named with the backend that does, as one problem
 * ("takes no --table (only athena reads it)"), or undefined for none. Given for another backend they would be left
 * out unsaid: the command would read elsewhere, or print a query that does not hold what they ask for.
 */
export function optionsOfAnotherBackend<O extends object>(
  opts: O,
  readers: Partial<Record<keyof O, readonly [flag: string, reader: BackendName]>>,
  backend: BackendName,
): string | undefined {
  const byReader = new Map<BackendName, string[]>();
  for (const [key, [flag, reader]] of Object.entries(readers) as [keyof O, readonly [string, BackendName]][]) {
    if (isGiven(opts[key]) && reader !== backend) byReader.set(reader, [...(byReader.get(reader) ?? []), flag]);
  }
  if (byReader.size === 0) return undefined;
  const named = [...byReader].map(
    ([reader, flags]) => `${flags.join(", ")} (only ${reader} reads ${flags.length > 1 ? "them" : "it"})`,
  );
  return `takes no ${named.join("; ")}`;
}

/**
 * Refuses a window that starts after `now`: no event is there yet, so the run would report it clean (a mistyped
 * year). A window that only ends in the future is fine: it reads up to now.
 */
export function refuseFutureStart(start: string, now: Date): void {
  const startMs = Date.parse(start);
  if (startMs > now.getTime())
    throw new BackendInputError(
      "--start",
      `${shown(start)} is in the future (it is ${now.toISOString()} now): no event is there yet`,
    );
}

/**
 * The parser of a whole-number option (`--jobs`, `--baseline-days`, `--max-record-bytes`): digits only. Number()
 * alone reads an empty or blank value as 0 (`--baseline-days=` would report every first use) and takes `0x10` or
 * `1e3`; the command still checks the range.
 */
export function wholeNumberArgument(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("It must be a whole number (digits only).");
  return Number(value);
}

/**
 * The parser of a `--region` option: an AWS region name, as aws.region of the config, so that a typo is a usage
 * error naming the option (exit 2) before any AWS call, not the SDK's "Region not accepted". A Region of a partition
 * this tool does not support is refused as in the config. A well-shaped name this version does not know (us-esat-1)
 * is only a warning, as the config lint's: AWS adds Regions, and a new or opt-in one must still work.
 */
export function regionArgument(value: string): string {
  if (!AWS_REGION.test(value)) throw new InvalidArgumentError("It must be an AWS region such as us-east-1.");
  const partition = unsupportedPartitionOf(value);
  if (partition)
    throw new InvalidArgumentError(`It is in the ${partition} partition, which this tool does not support.`);
  if (!isKnownRegion(value))
    process.stderr.write(
      `${linePrefix()}: warning: --region ${value} is not a region this version knows; if AWS added it, ignore this\n`,
    );
  return value;
}

/**
 * Why `value` (of `input`: `--topic-arn` or the variable it defaults to) is no SNS topic ARN, or undefined. Checked
 * before any AWS call: a topic that cannot exist would otherwise fail only when the alert or follow-up is sent,
 * after the actions it reports were taken.
 */
export function snsTopicArnProblem(input: string, value: string): string | undefined {
  const arn = parseArn(value);
  const isTopic =
    arn?.service === "sns" &&
    !!arn.region &&
    /^\d{12}$/.test(arn.account) &&
    /^[\w-]{1,256}(\.fifo)?$/.test(arn.resource);
  return isTopic
    ? undefined
    : `${input} ${shown(value)} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`;
}
