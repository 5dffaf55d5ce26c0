/**
 * `bedrock-guardrail undo --action-id <id>`: reverses one action this tool performed (re-activates
 * a key, removes its session-revocation statement), reading the action from the same store
 * `remediate --execute` or the monitor wrote. Exit 0 when undone (or nothing left to undo),
 * 1 when it cannot be undone or failed, 2 for usage or an unknown action id.
 */
import type { Command } from "commander";
import { shown } from "../../detection/backends/input-error";
import type { Guardrail } from "../../guardrail/guardrail";
import {
  type AwsOptions,
  callerArn,
  DEFAULT_STATE_FILE,
  makeOrganizationLookup,
  memberClientsFor,
  storeFor,
} from "../../wiring/adapters";
import type { MemberClientProvider } from "../../remediation/member-clients";
import type { OrganizationLookup } from "../../remediation/organization";
import type { RemediationStore } from "../../remediation/store";
import { undoAction, UndoError } from "../../remediation/undo";
import { type ConfigIO, loadGuardrailFor, type TextSink } from "../common";
import { addConfigOptions, type ConfigOption } from "../options";
import { EXIT } from "../exit-codes";
import { addRemediationOptions, remediationOptionConflict } from "../remediation-options";
import { failureText, reportError } from "../report";

export interface UndoOptions extends AwsOptions, ConfigOption {
  actionId?: string;
}

export interface UndoIO extends ConfigIO {
  stdout: TextSink;
  /** Tests inject the store and the AWS side; by default built from the options and local credentials. */
  store?: (g: Guardrail, o: UndoOptions) => RemediationStore;
  aws?: (
    g: Guardrail,
    o: UndoOptions,
  ) => Promise<{ clients: MemberClientProvider; actor?: string; managementAccountId?: string }>;
}

/** Where the action is looked up, for messages. */
function storeName(o: UndoOptions): string {
  return o.table ? `table ${o.table}` : (o.stateFile ?? DEFAULT_STATE_FILE);
}

export async function runUndo(opts: UndoOptions, io: UndoIO): Promise<number> {
  const actionId = opts.actionId;
  if (!actionId) {
    io.stderr.write("undo: --action-id is required (it is in remediate's output and in the alert)\n");
    return EXIT.USAGE;
  }
  const conflict = remediationOptionConflict(opts);
  if (conflict) {
    io.stderr.write(`undo: ${conflict}\n`);
    return EXIT.USAGE;
  }
  const g = loadGuardrailFor(opts, io);
  if (!g) return EXIT.USAGE;
  try {
    const store = (io.store ?? ((guardrail, o) => storeFor(guardrail, o, io.cwd ?? process.cwd())))(g, opts);
    // The audit record first: an unknown id is a usage error that needs no credentials and no AWS call.
    if (!(await store.getAction(actionId))) {
      io.stderr.write(
        `undo: no action ${shown(actionId)} is recorded in ${storeName(opts)} ` +
          "(use the same --state-file or --table as the remediation)\n",
      );
      return EXIT.USAGE;
    }
    const aws =
      io.aws ??
      (async (guardrail: Guardrail, o: UndoOptions) => {
        const organization = makeOrganizationLookup(guardrail);
        return {
          // Nothing is called in an account the record names outside the organization (member-clients.ts).
          clients: memberClientsFor(guardrail, o, io.env ?? process.env, undefined, organization),
          actor: await callerArn(guardrail),
          // Where undo never acts: a record naming it is refused, so no answer is no undo (never read as "none").
          managementAccountId: await managementAccountOf(organization, io.env ?? process.env),
        };
      });
    const { clients, actor, managementAccountId } = await aws(g, opts);
    const result = await undoAction(actionId, { store, clients, actor, managementAccountId });
    io.stdout.write(`${JSON.stringify({ action_id: actionId, ...result })}\n`);
    return result.status === "ok" || result.status === "already-done" ? EXIT.OK : EXIT.INCOMPLETE;
  } catch (e) {
    if (e instanceof UndoError) {
      io.stderr.write(`undo: ${e.message} (use the same --state-file or --table as the remediation)\n`);
      return EXIT.USAGE;
    }
    reportError(io.stderr, "undo", e, io.env);
    return EXIT.INCOMPLETE;
  }
}

/**
 * The management account (config, else Organizations DescribeOrganization), or the error that stops undo: the
 * check that refuses a record naming it must not pass because Organizations did not answer (throttling, a denied
 * call), or undo would act there with that account's credentials (--no-assume-role).
 */
async function managementAccountOf(organization: OrganizationLookup, env: NodeJS.ProcessEnv): Promise<string> {
  const problem = (why: string) =>
    new Error(
      `the management account, where undo never acts, is unknown (set organization.managementAccountId, or allow ` +
        `organizations:DescribeOrganization): ${why}; nothing was changed`,
    );
  let id: string | undefined;
  try {
    id = await organization.managementAccountId();
  } catch (e) {
    throw problem(failureText(e, env));
  }
  if (!id) throw problem("Organizations named none");
  return id;
}

export function register(program: Command): void {
  addRemediationOptions(addConfigOptions(program.command("undo")))
    .description(
      "Reverse one remediation action: re-activate a key, or remove the session-revocation statement this tool added.",
    )
    // Not requiredOption: commander checks required options before unknown ones, so `undo --action-di X` would be
    // told that --action-id is missing instead of what is wrong. The action runs after the unknown-option check.
    .option("--action-id <id>", "the action_id from remediate's output or the alert (required)")
    .action(async (opts: UndoOptions, command: Command) => {
      if (opts.actionId === undefined) command.error("error: required option '--action-id <id>' not specified");
      process.exitCode = await runUndo(opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
