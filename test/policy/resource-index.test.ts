/**
 * The evaluator indexes a statement's resource list (exact ARNs, `head*` patterns, ARNs with wildcards before their
 * resource component by that component, the rest) so that an allow-list of many thousand models is not scanned once
 * per request. The index must decide as IAM's ArnLike does, pattern by pattern: the property compares it with
 * arnLike over the whole list (the evaluator before the index) over generated lists and resources built from the
 * same pieces, so that equal, prefixed, wildcarded and colon-shifted ARNs all occur, in any component.
 */
import fc from "fast-check";
import { arnLike, globMatch } from "../../src/arn/arn-like";
import { evaluateScp } from "../../src/policy/evaluate";
import type { ScpStatement } from "../../src/policy/types";

// The evaluator's matches, whole ARNs or components, are counted (the last test): the real functions, wrapped.
jest.mock("../../src/arn/arn-like", () => {
  const actual = jest.requireActual("../../src/arn/arn-like");
  return { ...actual, arnLike: jest.fn(actual.arnLike), globMatch: jest.fn(actual.globMatch) };
});
const matchCalls = () => [arnLike, globMatch].reduce((n, f) => n + (f as jest.Mock).mock.calls.length, 0);

const piece = fc.constantFrom("a", "A", "ab", "b", "a:b", "*", "?", "", "x/");
const region = fc.constantFrom("us-east-1", "*", "us-*", "", "eu-west-1", "us-east-?");
const partition = fc.constantFrom("aws", "aws", "*", "aws-us-gov");
const service = fc.constantFrom("bedrock", "bedrock", "*", "bed?ock", "sagemaker");
const head = fc
  .tuple(partition, service, region, fc.array(piece, { maxLength: 3 }))
  .map(([p, s, r, parts]) => ({ p, s, r, id: parts.join("") }));
type Head = { p: string; s: string; r: string; id: string };
const arnOf = ({ p, s, r, id }: Head) => `arn:${p}:${s}:${r}::foundation-model/${id}`;
const pattern = fc.oneof(
  head.map(arnOf),
  head.map((h) => `${arnOf(h)}*`),
  fc.constantFrom("*", "arn:aws:bedrock:*", "not-an-arn*", "arn:aws:bedrock:us-east-1::foundation-model*"),
);
const resource = head.filter(({ p, s, r, id }) => !/[*?]/.test(`${p}${s}${r}${id}`)).map(arnOf);

function deniedOutside(list: string[], target: string): boolean {
  const statement: ScpStatement = { Sid: "S", Effect: "Deny", Action: ["bedrock:InvokeModel"], NotResource: list };
  const request = { action: "bedrock:InvokeModel", resource: target, principalArn: "arn:aws:iam::1:role/r" };
  return evaluateScp([statement], request).decision === "deny";
}

test("a NotResource list decides as arnLike does, entry by entry, for every kind of pattern", () => {
  fc.assert(
    fc.property(
      fc.array(pattern, { maxLength: 12 }),
      fc.array(resource, { minLength: 1, maxLength: 6 }),
      (list, rs) => {
        for (const r of [...rs, ...list.filter((p) => !/[*?]/.test(p))]) {
          const listed = list.some((p) => p === "*" || arnLike(p, r));
          expect(deniedOutside(list, r)).toBe(!listed);
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test("a list of region-wildcard model ARNs (the usual allow-list form) is not scanned once per request", () => {
  // 20,000 entries x 2,000 requests: one arnLike per entry and request took over half a minute. Counted in matches,
  // not timed: the index tests only the entries of the request's own model (five components each).
  const list = Array.from({ length: 20_000 }, (_, i) => `arn:aws:bedrock:*::foundation-model/vendor.model-${i}`);
  jest.clearAllMocks();
  for (let i = 0; i < 2_000; i++) {
    const listed = i % 2 === 0 ? `vendor.model-${i * 7}` : `other.model-${i}`;
    expect(deniedOutside(list, `arn:aws:bedrock:us-east-1::foundation-model/${listed}`)).toBe(i % 2 !== 0);
  }
  expect(matchCalls()).toBeGreaterThan(0);
  expect(matchCalls()).toBeLessThanOrEqual(2_000 * 5);
});
