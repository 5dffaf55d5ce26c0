/**
 * The AWSRevokeOlderSessions inline policy, as pure functions. This tool writes exactly one
 * statement, recognised by its Sid, and leaves every other statement (the IAM console's own
 * "Revoke sessions", anything a person wrote) as it found it: merge adds or moves ours later,
 * removal takes only ours out, restoring puts ours back as an action found it.
 */
export const REVOCATION_SID = "BedrockGuardrailRevokeOlderSessions";

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

/**
 * Parses GetRolePolicy / GetUserPolicy's PolicyDocument (URL-encoded JSON). Throws with a clear message when it is not
 * a policy.
 */
export function parsePolicyDocument(raw: string): PolicyDocument {
  let text = raw;
  if (/^%7B/i.test(raw.trim())) text = decodeURIComponent(raw);
  const doc = JSON.parse(text) as { Version?: unknown; Statement?: unknown };
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement && typeof doc.Statement === "object"
      ? [doc.Statement]
      : undefined;
  if (!statements) throw new Error("policy document has no Statement");
  return {
    Version: typeof doc.Version === "string" ? doc.Version : "2012-10-17",
    Statement: statements as PolicyStatement[],
  };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * A date and time as IAM's date operators read it (a W3C profile of ISO 8601) and JavaScript reads the same way:
 * with seconds optional, fractions, and a zone (Z or an offset). Date() also takes "Jan 1 2099", "1/1/2099" or a
 * time without a zone (local time), which IAM does not read as that date: a deny planted with one would look like
 * a cutoff in 2099 while it revokes nothing. Anything else, epoch seconds included, is not taken for a cutoff, so
 * this tool puts its own. So is a time that is no time of the calendar (calendarTime).
 */
const IAM_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant an IAM_DATE_TIME names, or undefined when its fields are no date of the calendar: Date() rolls
 * "2099-02-30T00:00Z" over to March 2 and "T24:00" to the next day, a cutoff the statement does not say.
 */
function calendarTime(value: string): Date | undefined {
  const fields = IAM_DATE_TIME.exec(value);
  if (!fields) return undefined;
  const [year, month, day, hour, minute] = fields.slice(1).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The cutoff of a statement that denies everything to tokens issued before a time, or undefined. */
function denyAllCutoff(s: PolicyStatement): Date | undefined {
  if (s.Effect !== "Deny" || !asList(s.Action).includes("*") || !asList(s.Resource).includes("*")) return undefined;
  const cond = s.Condition ?? {};
  if (Object.keys(cond).length !== 1) return undefined;
  // Every key of a condition block must hold: another key beside aws:TokenIssueTime (aws:CurrentTime before
  // 2000) can make a statement that denies nothing, which a principal could plant to look already revoked.
  const dates = cond.DateLessThan ?? {};
  if (Object.keys(dates).length !== 1) return undefined;
  const raw = dates["aws:TokenIssueTime"];
  const value = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  return typeof value === "string" ? calendarTime(value) : undefined;
}

/** The latest cutoff any deny-all statement in the document enforces. */
export function effectiveCutoff(doc: PolicyDocument | undefined): Date | undefined {
  let best: Date | undefined;
  for (const s of doc?.Statement ?? []) {
    const c = denyAllCutoff(s);
    if (c && (!best || c > best)) best = c;
  }
  return best;
}

function revocationStatement(cutoff: string): PolicyStatement {
  return {
    Sid: REVOCATION_SID,
    Effect: "Deny",
    Action: ["*"],
    Resource: ["*"],
    Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } },
  };
}

/**
 * The document to put: every foreign statement kept, ours set to the later of the old and the
 * new cutoff (a cutoff never moves earlier).
 */
export function mergeRevocation(existing: PolicyDocument | undefined, cutoff: string): PolicyDocument {
  const others = (existing?.Statement ?? []).filter((s) => s.Sid !== REVOCATION_SID);
  const ours = (existing?.Statement ?? []).find((s) => s.Sid === REVOCATION_SID);
  const previous = ours ? denyAllCutoff(ours) : undefined;
  const wanted = new Date(cutoff);
  const final = previous && previous > wanted ? previous.toISOString() : wanted.toISOString();
  return { Version: existing?.Version ?? "2012-10-17", Statement: [...others, revocationStatement(final)] };
}

/** The cutoff of this tool's statement in a document (a record's before or after, or the policy now). */
export function ourCutoff(doc: unknown): Date | undefined {
  const statements = (doc as { Statement?: unknown } | null | undefined)?.Statement;
  if (!Array.isArray(statements)) return undefined;
  const ours = (statements as PolicyStatement[]).find((s) => s?.Sid === REVOCATION_SID);
  return ours ? denyAllCutoff(ours) : undefined;
}

/** The document with our statement's cutoff set back to `cutoff`, every other statement kept. */
export function restoreRevocation(existing: PolicyDocument, cutoff: Date): PolicyDocument {
  const others = existing.Statement.filter((s) => s.Sid !== REVOCATION_SID);
  return { Version: existing.Version, Statement: [...others, revocationStatement(cutoff.toISOString())] };
}

/** The document without our statement; undefined when nothing else is left (delete the policy). */
export function removeRevocation(existing: PolicyDocument): { doc?: PolicyDocument; removed: boolean } {
  const others = existing.Statement.filter((s) => s.Sid !== REVOCATION_SID);
  const removed = others.length !== existing.Statement.length;
  return { doc: others.length > 0 ? { Version: existing.Version, Statement: others } : undefined, removed };
}
