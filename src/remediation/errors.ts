/**
 * What an AWS error means for one remediation action. Per-action: one failure never stops the
 * others. Throttling has already been retried by the SDK when it reaches here; quota errors
 * (IAM LimitExceeded) were deliberately not retried (src/aws/clients.ts). The wording is the
 * tool's one error vocabulary (src/errors/error-text.ts).
 */
import { errorKind, errorText } from "../errors/error-text";

export type ErrorClass = "access-denied" | "not-found" | "throttled" | "quota" | "other";

export function classifyError(e: unknown): ErrorClass {
  const kind = errorKind(e);
  return kind === "access-denied" || kind === "not-found" || kind === "throttled" || kind === "quota" ? kind : "other";
}

/** One line for an action's reason. */
export const describeError = errorText;
