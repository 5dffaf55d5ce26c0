/**
 * The simulator's case-blind comparison, made faster for the tests (simulator-string-compare.ts), gives
 * ICU's answer: for every pair of strings, IAM's names and random ones, printable ASCII or not.
 */
import fc from "fast-check";
import { collatorEquals, fastEquals } from "./simulator-string-compare";

const NAMES = ["StringEquals", "stringequals", "StringEqualsIfExists", "IfExists", "ifexists", "ForAnyValue"];
const text = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.string({ unit: fc.constantFrom(..."aAbBiIfFxX-_ :*?", "\u00e9", "\u0130", "\u0131", "\u0000") }),
  fc.string({ unit: "binary" }),
);

test("fastEquals is ICU's case-blind, accent-sensitive equality (property)", () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      expect(fastEquals(a, b)).toBe(collatorEquals(a, b));
      expect(fastEquals(a, a.toUpperCase())).toBe(collatorEquals(a, a.toUpperCase()));
    }),
    { numRuns: 2000 },
  );
  // Not vacuous: equal and unequal pairs, the IAM names among them.
  expect(fastEquals("StringEqualsIfExists".slice(-8), "IfExists")).toBe(true);
  expect(fastEquals("ifexists", "IfExists")).toBe(true);
  expect(fastEquals("IfExist", "IfExists")).toBe(false);
});
