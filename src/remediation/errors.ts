/**
 * What an AWS error means for one remediation action. Per-action: one failure never stops the
 * others. Throttling has already been retried by the SDK when it reaches here; quota errors
 * (IAM LimitExceeded) were deliberately not retried (src/runtime/aws/clients.ts).
 */
import { isQuotaError } from "../aws/clients";

export type ErrorClass = "access-denied" | "not-found" | "throttled" | "quota" | "other";

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
]);
const NOT_FOUND = new Set(["NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException"]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "Throttled",
  "RequestLimitExceeded",
]);

export function errorName(e: unknown): string {
  const x = e as { name?: string; Code?: string; code?: string } | undefined;
  return x?.name ?? x?.Code ?? x?.code ?? "Error";
}

export function classifyError(e: unknown): ErrorClass {
  const name = errorName(e);
  if (isQuotaError(e)) return "quota";
  if (ACCESS_DENIED.has(name) || (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403)
    return "access-denied";
  if (NOT_FOUND.has(name)) return "not-found";
  if (THROTTLED.has(name)) return "throttled";
  return "other";
}

export function describeError(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  switch (classifyError(e)) {
    case "access-denied":
      return `access denied (${errorName(e)}): the member role lacks the permission or a policy blocks it: ${message}`;
    case "throttled":
      return `throttled after the SDK's retries (${errorName(e)}); a re-run completes it: ${message}`;
    case "quota":
      return `IAM quota reached (${errorName(e)}), not retried: ${message}`;
    case "not-found":
      return `not found (${errorName(e)}): ${message}`;
    default:
      return `${errorName(e)}: ${message}`;
  }
}
