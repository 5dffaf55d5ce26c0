/**
 * How CloudTrail marks a call made with a Bedrock API key, read the same way by detection (the finding's credential
 * kind), by `preview` (which SCP requests the call also made) and by the rules' `is`/`equals` conditions: the marker
 * `callWithBearerToken` is the JSON boolean `true` or the text "true" (AWS documents the marker, not its JSON type),
 * no other spelling; `bearerTokenType` is written exactly as listed below (case and `_`). AWS's published
 * bedrock-mantle record writes a long-term key's type as `ABSK` (the prefix of long-term keys) where the condition key
 * `<prefix>:BearerTokenType` and other sources say `LONG_TERM`: both mean a long-term key.
 */

/** Whether the object (requestParameters or additionalEventData) marks a bearer-token call. */
export function marksBearerToken(carrier: unknown): boolean {
  const flag = (carrier as { callWithBearerToken?: unknown } | null | undefined)?.callWithBearerToken;
  return flag === true || flag === "true";
}

/** The `bearerTokenType` values of a long-term and a short-term key, as CloudTrail writes them. */
export const LONG_TERM_TOKEN_TYPES: readonly string[] = ["LONG_TERM", "ABSK"];
export const SHORT_TERM_TOKEN_TYPES: readonly string[] = ["SHORT_TERM"];

/** The key's term a `bearerTokenType` value names, or undefined for a value AWS has not shown. */
export function bearerTokenTerm(type: unknown): "long-term" | "short-term" | undefined {
  if (typeof type !== "string") return undefined;
  if (LONG_TERM_TOKEN_TYPES.includes(type)) return "long-term";
  return SHORT_TERM_TOKEN_TYPES.includes(type) ? "short-term" : undefined;
}
