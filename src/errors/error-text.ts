/**
 * One error vocabulary for the whole tool: any thrown value -> one line for people that says what
 * failed and, where we know, what to do. File errors speak words (never ENOENT or EISDIR), AWS
 * credential and network failures say how to fix them, and no message is echoed beyond a few
 * hundred characters (a 100 KB argument must not come back in full). Stack traces are for
 * `--debug` only (src/cli/report.ts).
 */
import { printable } from "./printable";

/** Longest message text kept in a line; the rest is counted, not printed. */
export const MAX_MESSAGE_CHARS = 300;

/** Newlines and runs of blanks become one space; text over `max` characters is cut and the cut counted. */
export function oneLine(text: string, max = MAX_MESSAGE_CHARS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}... (${flat.length - max} more characters)`;
}

export type ErrorKind =
  | "credentials"
  | "network"
  | "access-denied"
  | "throttled"
  | "quota"
  | "not-found"
  | "file"
  | "gzip"
  | "other";

interface ErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  hostname?: string;
  Reason?: string;
  $metadata?: { httpStatusCode?: number };
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, not a file",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EFBIG: "the file is too large",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the file name is too long",
  EEXIST: "already exists",
  EPIPE: "the reader closed the pipe",
  EIO: "input/output error on the device",
  ELOOP: "too many levels of symbolic links (a link loop)",
};

const NETWORK_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "NetworkingError"]);

/** No credentials found at all. */
const NO_CREDENTIALS_NAMES = new Set(["CredentialsProviderError", "CredentialsError"]);
/** Credentials found, but AWS refused them. */
const BAD_CREDENTIALS_NAMES = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
  "AuthFailure",
  "TokenRefreshRequired",
]);

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
/** Error names that mean "a quota is used up", not "slow down": never retried (src/aws/clients.ts). */
const QUOTA_ERROR_NAMES: ReadonlySet<string> = new Set([
  "LimitExceeded", // IAM (409): e.g. the two-access-keys-per-user limit
  "LimitExceededException", // IAM/Organizations flavours that are quotas, not rates
  "ServiceQuotaExceededException",
  "QuotaExceededException",
  "EntityAlreadyExists",
]);

/** Organizations uses LimitExceededException for both; its Reason field says which. */
const RATE_REASONS = /TOO_MANY_REQUESTS|rate/i;

function shape(e: unknown): ErrorShape {
  return e !== null && typeof e === "object" ? (e as ErrorShape) : {};
}

/** The error's AWS name or Node code (`AccessDeniedException`, `ENOENT`), "Error" when it has neither. */
function errorName(e: unknown): string {
  const x = shape(e);
  return x.name && x.name !== "Error" ? x.name : (x.Code ?? x.code ?? x.name ?? "Error");
}

/** A quota error (not a rate limit): the SDK must not retry it. */
export function isQuotaError(e: unknown): boolean {
  const x = shape(e);
  if (!x.name || !QUOTA_ERROR_NAMES.has(x.name)) return false;
  return !(x.name === "LimitExceededException" && RATE_REASONS.test(`${x.Reason ?? ""} ${x.message ?? ""}`));
}

export function errorKind(e: unknown): ErrorKind {
  const x = shape(e);
  const name = x.name ?? "";
  const code = x.code ?? x.Code ?? "";
  if (NO_CREDENTIALS_NAMES.has(name) || BAD_CREDENTIALS_NAMES.has(name) || BAD_CREDENTIALS_NAMES.has(code))
    return "credentials";
  if (NETWORK_CODES.has(code) || NETWORK_NAMES.has(name)) return "network";
  if (isQuotaError(e)) return "quota";
  if (ACCESS_DENIED.has(name) || ACCESS_DENIED.has(code) || x.$metadata?.httpStatusCode === 403) return "access-denied";
  if (NOT_FOUND.has(name) || NOT_FOUND.has(code)) return "not-found";
  if (THROTTLED.has(name) || THROTTLED.has(code)) return "throttled";
  if (code === "Z_BUF_ERROR" || code === "Z_DATA_ERROR") return "gzip";
  if (FILE_ERRORS[code]) return "file";
  return "other";
}

const CONFIGURE_CREDENTIALS =
  "configure credentials (AWS_PROFILE, `aws configure`, `aws sso login`, or AWS_ACCESS_KEY_ID and " +
  "AWS_SECRET_ACCESS_KEY)";

/** The one line for an error, without the name of the command or input it concerns (the caller adds that). */
export function errorText(e: unknown): string {
  if (!(e !== null && typeof e === "object")) return oneLine(String(e));
  const x = shape(e);
  const name = errorName(e);
  const message = oneLine(x.message ?? String(e));
  switch (errorKind(e)) {
    case "credentials":
      return NO_CREDENTIALS_NAMES.has(x.name ?? "")
        ? `no AWS credentials found: ${CONFIGURE_CREDENTIALS}`
        : `AWS refused the credentials (${name}: expired or invalid): refresh them or ${CONFIGURE_CREDENTIALS}`;
    case "network":
      return `cannot reach AWS (${[name, x.hostname].filter(Boolean).join(" ")}): check the network, proxy or region`;
    case "access-denied":
      return `access denied (${name}): the credentials lack the permission or a policy blocks it: ${message}`;
    case "throttled":
      return `throttled after the SDK's retries (${name}); a re-run completes it: ${message}`;
    case "quota":
      return `quota reached (${name}), not retried: ${message}`;
    case "not-found":
      return `not found (${name}): ${message}`;
    case "gzip":
      return `corrupt or truncated gzip: ${message}`;
    case "file":
      return FILE_ERRORS[x.code ?? ""];
    default:
      // Node's system errors already start with their code (`ELOOP: too many ...`): said once.
      return name === "Error" || message.startsWith(`${name}:`) ? message : `${name}: ${message}`;
  }
}

function parseError(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (e) {
    return shape(e).message ?? String(e);
  }
}

/** The offset JSON.parse's message names, the end for truncated input, undefined when it names none. */
function reportedPosition(message: string, length: number): number | undefined {
  const at = /at position (\d+)/.exec(message);
  if (at) return Math.min(Number(at[1]), length);
  return /end of JSON input/.test(message) ? length : undefined;
}

/**
 * Where JSON.parse stopped. V8 names no position for "Unexpected token" errors, so find it: a prefix
 * of the text that is still the start of some JSON value fails only at its end, which is monotone
 * in the prefix length, so the first bad character is found by bisection (log n parses).
 */
function errorPosition(text: string, message: string): number {
  const reported = reportedPosition(message, text.length);
  if (reported !== undefined) return reported;
  const stillAPrefix = (length: number): boolean => {
    const m = parseError(text.slice(0, length));
    return m === undefined || (reportedPosition(m, length) ?? -1) >= length;
  };
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (stillAPrefix(mid)) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

/** A JSON.parse failure of `text` as "line L, column C: reason" (1-based), the reason without V8's excerpt. */
export function jsonErrorText(text: string, e: unknown): string {
  const message = shape(e).message ?? String(e);
  const position = errorPosition(text, message);
  // V8: `Unexpected token '}', "{"a": }" is not valid JSON` or `Expected ... in JSON at position 6`.
  // The unexpected character is the file's own (a binary file's escape or bell byte): written as \u001b, never to
  // the terminal as such.
  const reason = printable(
    oneLine(message.replace(/ (in|after) JSON at position \d+.*$/s, "").replace(/, (\.\.\.)?".*$/s, ""), 120),
  );
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `line ${line}, column ${column}: ${reason}`;
}
