/**
 * The evaluator indexes a statement's resource list (exact ARNs, `head*` patterns, the rest) so that an allow-list
 * of many thousand models is not scanned once per request. The index must decide as IAM's ArnLike does, pattern by
 * pattern: the property compares it with arnLike over generated lists and resources built from the same pieces, so
 * that equal, prefixed, wildcarded and colon-shifted ARNs all occur.
 */
import fc from "fast-check";
import { arnLike } from "../../src/arn/arn-like";
import { evaluateScp } from "../../src/policy/evaluate";
import type { ScpStatement } from "../../src/policy/types";

const piece = fc.constantFrom("a", "A", "ab", "b", "a:b", "*", "?", "", "x/");
const region = fc.constantFrom("us-east-1", "*", "us-*", "", "eu-west-1");
const head = fc.tuple(region, fc.array(piece, { maxLength: 3 })).map(([r, parts]) => ({ r, id: parts.join("") }));
const arnOf = ({ r, id }: { r: string; id: string }) => `arn:aws:bedrock:${r}::foundation-model/${id}`;
const pattern = fc.oneof(
  head.map(arnOf),
  head.map((h) => `${arnOf(h)}*`),
  fc.constantFrom("*", "arn:aws:bedrock:*", "not-an-arn*", "arn:aws:bedrock:us-east-1::foundation-model*"),
);
const resource = head.filter(({ r, id }) => !`${r}${id}`.includes("*") && !`${r}${id}`.includes("?")).map(arnOf);

function deniedOutside(list: string[], target: string): boolean {
  const statement: ScpStatement = { Sid: "S", Effect: "Deny", Action: ["bedrock:InvokeModel"], NotResource: list };
  const request = { action: "bedrock:InvokeModel", resource: target, principalArn: "arn:aws:iam::1:role/r" };
  return evaluateScp([statement], request).decision === "deny";
}

test("a NotResource list decides as arnLike does, entry by entry, for every kind of pattern", () => {
  fc.assert(
    fc.property(fc.array(pattern, { maxLength: 8 }), fc.array(resource, { minLength: 1, maxLength: 6 }), (list, rs) => {
      for (const r of [...rs, ...list.filter((p) => !/[*?]/.test(p))]) {
        const listed = list.some((p) => p === "*" || arnLike(p, r));
        expect(deniedOutside(list, r)).toBe(!listed);
      }
    }),
    { numRuns: 2000 },
  );
});
