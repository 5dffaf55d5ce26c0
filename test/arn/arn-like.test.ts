import fc from "fast-check";
import { arnLike, arnLikeAny, globMatch, parseArn, splitArn } from "../../src/arn/arn-like";

/** Independent oracle: one anchored regex per component, compiled from the pattern. */
function oracle(pattern: string, arn: string): boolean {
  const split6 = (s: string) => {
    const parts = s.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const pp = split6(pattern);
  const ap = split6(arn);
  if (!pp || !ap) return false;
  return pp.every((p, i) => {
    const re = new RegExp(
      `^${p
        .split("")
        .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")))
        .join("")}$`,
    );
    return re.test(ap[i]);
  });
}

const chars = fc.constantFrom("a", "b", "/", "-", "1", "_", "A");
const text = fc.string({ unit: chars, maxLength: 8 });
const patternText = fc.string({ unit: fc.constantFrom("a", "b", "/", "-", "1", "*", "?", "A"), maxLength: 8 });
const arnOf = (parts: fc.Arbitrary<string>) =>
  fc.tuple(parts, parts, parts, parts, parts).map(([p, s, r, a, res]) => `arn:${p}:${s}:${r}:${a}:${res}`);
const resourceWithColons = fc.string({ unit: fc.constantFrom("a", ":", "/", "*", "?"), maxLength: 8 });

describe("arnLike", () => {
  it("known cases", () => {
    expect(
      arnLike("arn:aws:iam::*:role/BedrockModelAccessAdmin", "arn:aws:iam::123456789012:role/BedrockModelAccessAdmin"),
    ).toBe(true);
    expect(
      arnLike(
        "arn:aws:iam::*:role/BedrockModelAccessAdmin",
        "arn:aws:iam::123456789012:role/path/BedrockModelAccessAdmin",
      ),
    ).toBe(false);
    expect(
      arnLike(
        "arn:aws:iam::*:role/*BedrockModelAccessAdmin",
        "arn:aws:iam::123456789012:role/path/BedrockModelAccessAdmin",
      ),
    ).toBe(true);
    expect(
      arnLike(
        "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*",
        "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_abc123",
      ),
    ).toBe(true);
    expect(arnLike("arn:aws:iam::?????????????:root", "arn:aws:iam::123456789012:root")).toBe(false);
    expect(arnLike("arn:aws:iam::????????????:root", "arn:aws:iam::123456789012:root")).toBe(true);
    // Case-sensitive.
    expect(arnLike("arn:aws:iam::*:role/admin", "arn:aws:iam::123456789012:role/Admin")).toBe(false);
    // * in the account never eats the colon before the resource.
    expect(arnLike("arn:aws:iam::*:role/X", "arn:aws:iam::123456789012:extra:role/X")).toBe(false);
    // The resource may contain colons.
    expect(
      arnLike(
        "arn:aws:bedrock:*::foundation-model/anthropic.*",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1",
      ),
    ).toBe(true);
    expect(
      arnLike(
        "arn:aws:bedrock:*::foundation-model/anthropic.*",
        "arn:aws:bedrock:::foundation-model/anthropic.claude-v2:1",
      ),
    ).toBe(true);
    expect(arnLikeAny([], "arn:aws:iam::123456789012:root")).toBe(false);
    expect(arnLikeAny(["*"], undefined)).toBe(false);
  });

  it("a literal pattern (no wildcards) matches only itself", () => {
    fc.assert(fc.property(arnOf(text), arnOf(text), (p, a) => arnLike(p, a) === (p === a)));
    fc.assert(fc.property(arnOf(text), (p) => arnLike(p, p)));
  });

  it("agrees with the regex-per-component oracle", () => {
    fc.assert(
      fc.property(arnOf(patternText), arnOf(text), (p, a) => arnLike(p, a) === oracle(p, a)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.tuple(patternText, resourceWithColons),
        fc.tuple(text, resourceWithColons),
        ([pa, pr], [aa, ar]) => {
          const p = `arn:aws:iam::${pa}:${pr}`;
          const a = `arn:aws:iam::${aa}:${ar}`;
          return arnLike(p, a) === oracle(p, a);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("agrees with the oracle on ARNs built to match (wildcards replaced by random text)", () => {
    fc.assert(
      fc.property(arnOf(patternText), fc.array(text, { minLength: 40, maxLength: 40 }), (p, fills) => {
        let i = 0;
        const a = p.replace(/[*?]/g, (w) => (w === "*" ? fills[i++ % fills.length].replace(/:/g, "") : "x"));
        return arnLike(p, a) && oracle(p, a);
      }),
    );
  });

  it("`*` never crosses a component colon", () => {
    fc.assert(
      fc.property(text, text, text, (account, extra, name) => {
        // The extra component text would have to be swallowed by the account's *.
        const arn = `arn:aws:iam::${account}:${extra}:role/${name}`;
        return !arnLike(`arn:aws:iam::*:role/${name}`, arn) || extra === "" || arn.split(":")[5].startsWith("role/");
      }),
    );
    fc.assert(fc.property(text, (s) => !arnLike("arn:*:iam::1:role/x", `arn:aws:${s}:iam::1:role/x`) || s === "iam"));
  });

  it("globMatch handles pathological patterns without blowing up", () => {
    expect(globMatch("*a*a*a*a*a*a*a*a*b", "a".repeat(5000))).toBe(false);
    expect(globMatch("*?*", "")).toBe(false);
    expect(globMatch("", "")).toBe(true);
    // Found by the oracle property: a literal * in the text is still matched by the pattern's wildcard.
    expect(globMatch(":*", ":*a")).toBe(true);
  });

  it("splitArn / parseArn", () => {
    expect(splitArn("arn:aws:iam::123456789012:role/a:b")).toEqual([
      "arn",
      "aws",
      "iam",
      "",
      "123456789012",
      "role/a:b",
    ]);
    expect(splitArn("not-an-arn")).toBeUndefined();
    expect(parseArn("arn:aws:iam::123456789012:root")).toEqual({
      partition: "aws",
      service: "iam",
      region: "",
      account: "123456789012",
      resource: "root",
    });
  });
});
