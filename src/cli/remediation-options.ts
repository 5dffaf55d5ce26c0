/** The options `remediate` and `undo` share: where the audit trail is kept and how member accounts are reached. */
import type { Command } from "commander";
import { DEFAULT_STATE_FILE, EXTERNAL_ID_ENV } from "../wiring/adapters";

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
