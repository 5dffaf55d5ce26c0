/**
 * `bedrock-guardrail undo --action-id <id>`: reverses one action this tool performed (re-activates
 * a key, removes its session-revocation statement), reading the action from the same store
 * `remediate --execute` or the monitor wrote. Exit 0 when undone (or nothing left to undo),
 * 1 when it cannot be undone or failed, 2 for usage or an unknown action id.
 */
import type { Command } from "commander";
import type { Guardrail } from "../../guardrail/guardrail";
import { type AwsOptions, callerArn, memberClientsFor, storeFor } from "../../remediation/cli-wiring";
import type { MemberClientProvider } from "../../remediation/member-clients";
import type { RemediationStore } from "../../remediation/store";
import { undoAction, UndoError } from "../../remediation/undo";
import { addConfigOptions, type ConfigIO, type ConfigOption, loadGuardrailFor, type TextSink } from "../common";
import { EXIT } from "../exit-codes";
import { addRemediationOptions } from "../remediation-options";

export interface UndoOptions extends AwsOptions, ConfigOption {
  actionId?: string;
}

export interface UndoIO extends ConfigIO {
  stdout: TextSink;
  /** Tests inject the store and clients; by default built from local credentials. */
  wiring?: (
    g: Guardrail,
    o: UndoOptions,
  ) => Promise<{ store: RemediationStore; clients: MemberClientProvider; actor?: string }>;
}

export async function runUndo(opts: UndoOptions, io: UndoIO): Promise<number> {
  if (!opts.actionId) {
    io.stderr.write("undo: --action-id is required (it is in remediate's output and in the alert)\n");
    return EXIT.USAGE;
  }
  const g = loadGuardrailFor(opts, io);
  if (!g) return EXIT.USAGE;
  const wiring =
    io.wiring ??
    (async (guardrail: Guardrail, o: UndoOptions) => ({
      store: storeFor(guardrail, o, io.cwd ?? process.cwd()),
      clients: memberClientsFor(guardrail, o, io.env ?? process.env),
      actor: await callerArn(guardrail),
    }));
  const { store, clients, actor } = await wiring(g, opts);
  try {
    const result = await undoAction(opts.actionId, { store, clients, actor });
    io.stdout.write(`${JSON.stringify({ action_id: opts.actionId, ...result })}\n`);
    return result.status === "ok" || result.status === "already-done" ? EXIT.OK : EXIT.INCOMPLETE;
  } catch (e) {
    if (e instanceof UndoError) {
      io.stderr.write(`undo: ${e.message} (use the same --state-file or --table as the remediation)\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
}

export function register(program: Command): void {
  addRemediationOptions(addConfigOptions(program.command("undo")))
    .description(
      "Reverse one remediation action: re-activate a key, or remove the session-revocation statement this tool added.",
    )
    .requiredOption("--action-id <id>", "the action_id from remediate's output or the alert")
    .action(async (opts: UndoOptions) => {
      process.exitCode = await runUndo(opts, { stdout: process.stdout, stderr: process.stderr });
    });
}
