/**
 * Property: whatever strings a user puts in approvedPrincipalArns / breakGlassPrincipalArns, the
 * config either refuses them or produces a policy whose exemption list is exactly those patterns
 * plus the tool's member role pattern, and that exempts no principal those patterns do not match.
 * The protect-exempted statement is the one other condition: break-glass plus the StackSets role.
 */
import fc from "fast-check";
import { arnLikeAny } from "../../src/arn/arn-like";
import { ConfigError, parseConfig } from "../../src/config/load";
import { bundledDefinition, compileGuardrail, memberRolePattern } from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import { evaluateScp } from "../../src/policy/evaluate";
import { withIdentityCenterForms } from "../../src/arn/identity-center";
import { SID } from "../../src/policy/statements";

/** The statements that deny model use: each exempts approved and break-glass, and nobody else. */
const MODEL_SIDS: string[] = [
  SID.modelAccess,
  SID.subscribeViaBedrock,
  SID.subscribeProducts,
  SID.inferenceAllowList,
  SID.trainingAllowList,
  SID.mantleAllowList,
  SID.apiKeyCreation,
  SID.apiKeyUse,
  SID.serviceLinkedRoles,
];

const definition = bundledDefinition();
const alphabet = fc.constantFrom("a", "b", "1", "/", "*", "?", ":", "-", "_", " ", "r", "o", "l", "e");
const tail = fc.string({ unit: alphabet, maxLength: 14 });
const pattern = fc.oneof(
  fc.string({ maxLength: 20 }),
  tail,
  fc
    .tuple(
      fc.constantFrom(
        "arn:aws:iam::*:",
        "arn:aws:iam::123456789012:",
        "arn:*:iam::*:",
        "arn:aws:sts::*:",
        "arn:aws:iam:*:*:",
      ),
      fc.constantFrom("role/", "user/", "", "root", "role/aws-reserved/sso.amazonaws.com/"),
      tail,
    )
    .map(([a, b, c]) => a + b + c),
);
const patterns = fc.array(pattern, { maxLength: 4 });
/**
 * Principals no accepted pattern can name: their path and name are all "Z", which no pattern text
 * contains, and the config refuses all-wildcard names, so some literal of every accepted name would
 * have to match a "Z". (A canary with another path, role/aaa/ZZZ, was named by role/a*.)
 */
const CANARIES = [
  "arn:aws:iam::111122223333:role/ZZZ",
  "arn:aws:iam::111122223333:role/ZZZ/ZZZ",
  "arn:aws:iam::111122223333:user/ZZZ",
  "arn:aws:iam::111122223333:root",
];
const principalArn = fc.oneof(
  fc.constantFrom(...CANARIES),
  fc
    .tuple(
      fc.constantFrom("arn:aws:iam::123456789012:", "arn:aws:iam::111122223333:"),
      fc.constantFrom("role/", "user/", "role/bedrock-guardrail/"),
      fc.string({ unit: fc.constantFrom("a", "b", "1", "/", "-"), minLength: 1, maxLength: 10 }),
    )
    .map(([a, b, c]) => a + b + c),
);

describe("exemptions are exactly the listed patterns (the member role only where it deactivates API keys)", () => {
  it("holds for random strings", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        patterns,
        patterns,
        fc.array(principalArn, { minLength: 1, maxLength: 6 }),
        (approved, breakGlass, principals) => {
          let config;
          try {
            config = parseConfig({ approvedPrincipalArns: approved, breakGlassPrincipalArns: breakGlass });
          } catch (e) {
            if (e instanceof ConfigError) return true;
            throw e;
          }
          accepted++;
          const guardrail = compileGuardrail(definition, config);
          // Identity Center patterns are matched in both path shapes (src/arn/identity-center.ts).
          const expected = withIdentityCenterForms([...approved, ...breakGlass]);
          const all = buildScpDocuments(guardrail).flatMap((d) => d.policy.Statement);
          const statements = all.filter((s) => MODEL_SIDS.includes(s.Sid));
          for (const s of statements) {
            // The only exemption any Bedrock statement carries is this list, under this one key; the
            // API-key creation statement adds the member role, which deactivates leaked keys.
            const member = s.Sid === SID.apiKeyCreation ? [memberRolePattern(config)] : [];
            expect(s.Condition?.ArnNotLike).toEqual({ "aws:PrincipalArn": [...new Set([...expected, ...member])] });
          }
          const protect = all.find((s) => s.Sid === SID.protectExempted)!;
          // Only break-glass (no admins here) may take over an exempted name; with none, nobody (no condition).
          const breakGlassForms = withIdentityCenterForms(breakGlass);
          expect(protect.Condition).toEqual(
            breakGlassForms.length > 0 ? { ArnNotLike: { "aws:PrincipalArn": breakGlassForms } } : undefined,
          );
          for (const p of principals) {
            const exempt =
              evaluateScp(statements, { action: guardrail.iamActions[0], resource: "*", principalArn: p }).decision ===
              "allow";
            expect(exempt).toBe(arnLikeAny(expected, p));
            if (CANARIES.includes(p)) expect(exempt).toBe(false);
          }
          return true;
        },
      ),
      { numRuns: 2000 },
    );
    // The generator must actually reach accepted configs, or the property proves nothing.
    expect(accepted).toBeGreaterThan(50);
  });
});
