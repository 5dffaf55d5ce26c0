/**
 * `bedrock-guardrail remediate [--execute] FINDINGS.ndjson|-`: plans (default) or performs the
 * remediation of findings written by `detect` or the monitor. Without --execute nothing is
 * called, recorded or sent. Actions go to stdout (one per line in ndjson), problems to stderr.
 *
 * Exit codes: 2 usage or config error; 1 an input line was not a finding, an action failed (status
 * error), or a finding's response or follow-up failed (one line names the finding; the others go on);
 * 0 otherwise.
 */
import * as fs from "node:fs";
import { type Command, Option } from "commander";
import type { Guardrail } from "../../guardrail/guardrail";
import {
  type AwsOptions,
  callerIdentity,
  memberClientsFor,
  notifierFor,
  undoStoreFor,
  makeOrganizationLookup,
  selfPatterns,
  storeFor,
} from "../../wiring/adapters";
import { oneLine } from "../../errors/error-text";
import type { Finding } from "../../detection/finding";
import { parseFindings } from "../../remediation/finding-input";
import { leastActing, mostActing, needsOuChain } from "../../remediation/mode";
import { StaticOrganizationLookup } from "../../remediation/organization";
import { outcomeLine, type OutcomeLine } from "../../remediation/report";
import { RemediationResponder, type ResponseDetail } from "../../remediation/responder";
import { InMemoryStore } from "../../remediation/store";
import { type ConfigIO, loadGuardrailFor } from "../common";
import { addConfigOptions, type ConfigOption, snsTopicArnProblem } from "../options";
import { EXIT } from "../exit-codes";
import { reportError } from "../report";
import { addRemediationOptions, remediationOptionConflict } from "../remediation-options";
import { renderTable } from "../format/table";

export const REMEDIATE_FORMATS = ["table", "ndjson"] as const;

export interface RemediateOptions extends AwsOptions, ConfigOption {
  execute?: boolean;
  format?: (typeof REMEDIATE_FORMATS)[number];
}

export interface RemediateIO extends ConfigIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  readStdin?: () => Promise<string>;
  /** Tests inject the responder's collaborators; by default they are built from local credentials. */
  responder?: (g: Guardrail, opts: RemediateOptions) => Promise<RemediationResponder>;
}

/** ACTION ID first: it is what `undo --action-id` takes. */
const HEADERS = ["ACTION ID", "FINDING", "ACCOUNT", "REGION", "API", "TARGET", "MODE", "STATUS", "REASON"];
const row = (l: OutcomeLine): string[] => [
  l.action_id,
  l.finding_id,
  l.account_id,
  l.region,
  l.api,
  l.target,
  l.mode,
  l.status,
  l.reason,
];

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The options a plan does not use, said in one line (a plan reads no audit store, alerts nobody and reaches no member
 * account), or undefined. Not refused: a pipeline plans with the command line it then runs with --execute.
 */
function optionsOnlyForExecute(opts: RemediateOptions): string | undefined {
  const given = [
    opts.stateFile !== undefined && "--state-file",
    opts.table !== undefined && "--table",
    opts.topicArn !== undefined && "--topic-arn",
    opts.externalId !== undefined && "--external-id",
    opts.assumeRole === false && "--no-assume-role",
  ].filter((o): o is string => o !== false);
  if (given.length === 0) return undefined;
  return (
    `note: ${given.join(", ")} ${given.length === 1 ? "is" : "are"} used only with --execute: this plan reads no ` +
    "audit store (actions already done show as planned), alerts nobody and reaches no member account"
  );
}

/** The run is refused before anything is planned: one line on stderr, exit 2. */
class RefusedRun extends Error {}

async function defaultResponder(g: Guardrail, opts: RemediateOptions, io: RemediateIO): Promise<RemediationResponder> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  if (!opts.execute) {
    return new RemediationResponder({
      guardrail: g,
      store: new InMemoryStore(),
      organization: new StaticOrganizationLookup(g.config.organization.managementAccountId),
      execute: false,
    });
  }
  const caller = await callerIdentity(g);
  const actor = caller.arn;
  const organization = makeOrganizationLookup(g);
  if (opts.assumeRole === false) {
    // The local credentials act in their own account only (LocalClientProvider refuses the others);
    // the management account's are refused outright: the tool never acts there.
    const management = await organization.managementAccountId().catch(() => undefined);
    const instead = "use the member role (leave out --no-assume-role) or credentials of the member account";
    if (!caller.account)
      throw new RefusedRun(`--no-assume-role: STS did not name the local credentials' account; ${instead}`);
    if (caller.account === management)
      throw new RefusedRun(
        `--no-assume-role: the local credentials belong to the management account ${caller.account}, where ` +
          `remediation never acts; ${instead}`,
      );
  }
  return new RemediationResponder({
    guardrail: g,
    store: storeFor(g, opts, cwd),
    organization,
    clients: memberClientsFor(g, opts, env, async () => caller.account, organization),
    notifier: notifierFor(g, opts),
    undoStore: undoStoreFor(opts, cwd),
    selfArns: actor ? selfPatterns(actor) : [],
    actor,
  });
}

/**
 * A plan without --execute looks up no OU, so an account without its own override is shown in the least
 * acting mode its OU could give it, while --execute looks the OU up and may act there: the line that says so
 * (the accounts, and the modes --execute may use), or undefined when every shown mode is the one that applies.
 */
function modesUnknownWithoutExecute(g: Guardrail, findings: Finding[]): string | undefined {
  const { mode, overrides } = g.remediation;
  if (!needsOuChain(overrides)) return undefined;
  const possible = [mode, ...overrides.filter((o) => o.target.startsWith("ou-")).map((o) => o.mode)];
  const [least, most] = [leastActing(possible), mostActing(possible)];
  if (least === most) return undefined;
  const accounts = new Set(
    findings
      .flatMap((f) => [f.cloud.account.id, f.guardrail.principal_account_id])
      .filter((a): a is string => !!a && !overrides.some((o) => o.target === a)),
  );
  if (accounts.size === 0) return undefined;
  const which = accounts.size === 1 ? `account ${[...accounts][0]} is` : `accounts ${[...accounts].join(", ")} are`;
  return (
    `remediation.overrides names OUs, which are not looked up without --execute: ${which} shown in mode ${least}, ` +
    `the least acting ${accounts.size === 1 ? "it" : "they"} can have; with --execute ` +
    `${accounts.size === 1 ? "its" : "their"} OU decides, up to ${most}`
  );
}

export async function runRemediate(
  input: string | undefined,
  opts: RemediateOptions,
  io: RemediateIO,
): Promise<number> {
  if (!input) {
    io.stderr.write(
      "remediate: give a findings file (ndjson or JSON array from detect or the monitor) or - for stdin\n",
    );
    return EXIT.USAGE;
  }
  const usageProblem =
    (opts.topicArn === undefined ? undefined : snsTopicArnProblem("--topic-arn", opts.topicArn)) ??
    remediationOptionConflict(opts);
  if (usageProblem) {
    io.stderr.write(`remediate: ${usageProblem}\n`);
    return EXIT.USAGE;
  }
  const guardrail = loadGuardrailFor(opts, io);
  if (!guardrail) return EXIT.USAGE;
  let text: string;
  try {
    text = input === "-" ? await (io.readStdin ?? (() => readAll(process.stdin)))() : fs.readFileSync(input, "utf8");
  } catch (e) {
    reportError(io.stderr, `remediate: ${input}`, e, io.env);
    return EXIT.INCOMPLETE;
  }
  const { findings, problems, duplicates } = parseFindings(text, input === "-" ? "stdin" : input, guardrail.partition);
  for (const p of problems) io.stderr.write(`remediate: ${p}\n`);
  for (const d of duplicates) io.stderr.write(`remediate: ${d}\n`);
  if (!opts.execute && !guardrail.config.organization.managementAccountId) {
    io.stderr.write(
      "remediate: organization.managementAccountId is not set: planned actions are shown as skipped (with --execute " +
        "it is looked up in Organizations)\n",
    );
  }

  if (!opts.execute) {
    const unknown = modesUnknownWithoutExecute(guardrail, findings);
    if (unknown) io.stderr.write(`remediate: ${unknown}\n`);
    const unused = optionsOnlyForExecute(opts);
    if (unused) io.stderr.write(`remediate: ${unused}\n`);
  }

  let responder: RemediationResponder;
  try {
    responder = await (io.responder ?? ((g, o) => defaultResponder(g, o, io)))(guardrail, opts);
  } catch (e) {
    if (!(e instanceof RefusedRun)) throw e;
    io.stderr.write(`remediate: ${e.message}\n`);
    return EXIT.USAGE;
  }
  const format = opts.format ?? (io.stdout.isTTY ? "table" : "ndjson");
  const lines: OutcomeLine[] = [];
  let failed = problems.length > 0;
  let actions = 0;
  for (const finding of findings) {
    // One finding's failure is its own: said in one line naming it, and the other findings are still responded to.
    const which = `finding ${oneLine(finding.event.id, 200)}`;
    let detail: ResponseDetail;
    try {
      detail = await responder.respondInDetail(finding);
    } catch (e) {
      reportError(io.stderr, `remediate: ${which}`, e, io.env);
      failed = true;
      continue;
    }
    if (detail.followUpError !== undefined) {
      reportError(io.stderr, `remediate: ${which}: follow-up not sent`, detail.followUpError, io.env);
      failed = true;
    }
    for (const { action, outcome } of detail.actions) {
      const line = outcomeLine(action, outcome);
      actions++;
      if (outcome.status === "error") failed = true;
      if (format === "ndjson") io.stdout.write(`${JSON.stringify(line)}\n`);
      else lines.push(line);
    }
  }
  if (format === "table") {
    io.stdout.write(renderTable(HEADERS, lines.map(row)));
    for (const l of lines) for (const s of l.steps ?? []) io.stdout.write(`  manual (${l.finding_id}): ${s}\n`);
  }
  io.stderr.write(
    `remediate: ${findings.length} finding(s), ${actions} ` +
      `action(s)${opts.execute ? "" : " planned (nothing executed; add --execute)"}\n`,
  );
  return failed ? EXIT.INCOMPLETE : EXIT.OK;
}

export function register(program: Command): void {
  addRemediationOptions(addConfigOptions(program.command("remediate")))
    .description("Plan (default) or perform (--execute) the remediation of findings from detect or the monitor.")
    .argument("[findings]", "findings file (ndjson or JSON array), or - for stdin")
    .option(
      "--execute",
      "perform the actions with local credentials (accounts in dry-run or off mode are still not changed)",
    )
    .addOption(
      new Option("-f, --format <format>", "output format (default: table on a terminal, ndjson otherwise)").choices([
        ...REMEDIATE_FORMATS,
      ]),
    )
    .option("--topic-arn <arn>", "also send the follow-up report to this SNS topic")
    .action(async (findings: string | undefined, opts: RemediateOptions) => {
      process.exitCode = await runRemediate(findings, opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
