/** The options `remediate` and `undo` share: where the audit trail is kept and how member accounts are reached. */
import type { Command } from "commander";
import { type AwsOptions, DEFAULT_STATE_FILE, EXTERNAL_ID_ENV } from "../wiring/adapters";

export function addRemediationOptions(command: Command): Command {
  return command
    .option(
      "--state-file <file>",
      `local audit file of remediate --execute, read by undo (default ./${DEFAULT_STATE_FILE})`,
    )
    .option("--table <name>", "the monitor's DynamoDB state table instead of a local audit file")
    .option(
      "--no-assume-role",
      "use the local credentials as they are, in their own account only, instead of assuming the member role",
    )
    .option(
      "--external-id <id>",
      `external id for the member role (default $${EXTERNAL_ID_ENV}, then monitor.memberRoleExternalId)`,
    );
}

/**
 * Options given together that cannot both be honoured, in one line, or undefined. Either of them would be
 * dropped without a word: undo would read, and remediate record to, the table while the responder thought it was
 * the file; an external id is for the member role, which --no-assume-role does not assume.
 */
export function remediationOptionConflict(o: AwsOptions): string | undefined {
  if (o.table !== undefined && o.stateFile !== undefined)
    return "--table and --state-file name two audit stores: give one (the one the remediation recorded to)";
  if (o.externalId !== undefined && o.assumeRole === false)
    return "--external-id is for the member role, which --no-assume-role does not assume: give one of them";
  return undefined;
}
