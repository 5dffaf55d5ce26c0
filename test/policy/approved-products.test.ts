/**
 * scp.approvedMarketplaceProductIds: the subscription Bedrock makes, as the caller, on an approved model's first
 * call in an account passes DenyMarketplaceSubscribeViaBedrock for everyone, so that a developer's first call of an
 * approved Marketplace model is not blocked; every other product's, and a request that shows no product, stay
 * denied. Proven with the IAM simulator; the tool's own evaluator, preview's suggestion and the decision table agree.
 */
import { parseConfig } from "../../src/config/load";
import { type ScpRequest, evaluateScp } from "../../src/policy/evaluate";
import { previewerFor } from "../../src/policy/explain";
import { decisionTable } from "../../src/policy/decision-table";
import { lintScp } from "../../src/policy/lint";
import { buildScpStatements } from "../../src/policy/statements";
import { guardrailFor, REALISTIC_CONFIG } from "./helpers";
import { simulateScp } from "./simulator";

const APPROVED = ["prod-approved00001", "prod-approved00002"];
const withApproved = { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, approvedMarketplaceProductIds: APPROVED } };
const guardrail = guardrailFor(withApproved);
const DEVELOPER = "arn:aws:iam::111122223333:role/app/Developer";
const APPROVED_ADMIN = "arn:aws:iam::111122223333:role/BedrockModelAccessAdmin";
const SUBSCRIBE = "aws-marketplace:Subscribe";

const viaBedrock = (products?: string[], service = "bedrock.amazonaws.com") => ({
  "aws:CalledViaLast": [service],
  ...(products ? { "aws-marketplace:ProductId": products } : {}),
});

const cases: { name: string; action: string; principal: string; context: Record<string, string[]>; want: string }[] = [
  {
    name: "an approved product via Bedrock",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock([APPROVED[0]]),
    want: "Allowed",
  },
  {
    name: "the other approved product",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock([APPROVED[1]]),
    want: "Allowed",
  },
  {
    name: "an approved product via bedrock-mantle",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock([APPROVED[0]], "bedrock-mantle.amazonaws.com"),
    want: "Allowed",
  },
  {
    name: "another product via Bedrock",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock(["prod-other0000001"]),
    want: "ExplicitlyDenied",
  },
  {
    name: "an approved id with another case",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock(["PROD-APPROVED00001"]),
    want: "ExplicitlyDenied",
  },
  {
    name: "a request that shows no product",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: viaBedrock(),
    want: "ExplicitlyDenied",
  },
  {
    name: "another product, by an approved principal",
    action: SUBSCRIBE,
    principal: APPROVED_ADMIN,
    context: viaBedrock(["prod-other0000001"]),
    want: "Allowed",
  },
  {
    name: "a SageMaker endpoint Bedrock creates as the caller (no product)",
    action: "sagemaker:CreateEndpoint",
    principal: DEVELOPER,
    context: viaBedrock(),
    want: "ExplicitlyDenied",
  },
  {
    name: "a direct subscription",
    action: SUBSCRIBE,
    principal: DEVELOPER,
    context: { "aws-marketplace:ProductId": ["prod-other0000001"] },
    want: "Allowed",
  },
];

describe("scp.approvedMarketplaceProductIds", () => {
  it.each(cases)(
    "$name: $want, as the simulator and the tool's evaluator say",
    async ({ action, principal, context, want }) => {
      const request = { action, resource: "*", context };
      expect(await simulateScp(guardrail, request, principal)).toBe(want);
      const verdict = evaluateScp(buildScpStatements(guardrail), { ...request, principalArn: principal });
      expect(verdict.decision).toBe(want === "Allowed" ? "allow" : "deny");
    },
  );

  it("without the setting, an approved model's product is denied via Bedrock to a developer, as before", async () => {
    const request = { action: SUBSCRIBE, resource: "*", context: viaBedrock([APPROVED[0]]) };
    expect(await simulateScp(guardrailFor(REALISTIC_CONFIG), request, DEVELOPER)).toBe("ExplicitlyDenied");
  });

  it("a product both approved and in denyMarketplaceProductIds is a config error naming both keys", () => {
    const [denied] = REALISTIC_CONFIG.scp?.denyMarketplaceProductIds ?? [];
    const config = { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, approvedMarketplaceProductIds: [denied] } };
    expect(() => parseConfig(config)).toThrow(
      `scp.approvedMarketplaceProductIds[0]: ${denied} is also in scp.denyMarketplaceProductIds`,
    );
  });

  it("lint warns that the list changes nothing while the statement it relaxes is off", () => {
    const codes = (scp: object) =>
      lintScp(guardrailFor({ ...withApproved, scp: { ...withApproved.scp, ...scp } })).warnings.map((w) => w.code);
    expect(codes({ denyMarketplaceSubscribeViaBedrock: false })).toContain("approved-products-without-control");
    expect(codes({})).not.toContain("approved-products-without-control");
  });

  const subscribeRecord = (productId: string) => ({
    eventVersion: "1.08",
    eventTime: "2026-09-02T10:00:00Z",
    eventSource: "aws-marketplace.amazonaws.com",
    eventName: "Subscribe",
    awsRegion: "us-east-1",
    recipientAccountId: "111122223333",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::111122223333:assumed-role/Developer/dev-session",
      accountId: "111122223333",
      invokedBy: "bedrock.amazonaws.com",
      sessionContext: {
        sessionIssuer: { type: "Role", arn: DEVELOPER, accountId: "111122223333", userName: "Developer" },
      },
    },
    requestParameters: { productId },
  });

  it("preview suggests approving the product of a denied subscription, and the change lets it through", async () => {
    const record = subscribeRecord("prod-newmodel00001");
    const p = previewerFor(guardrail).previewRecord(record);
    if (p.kind !== "denied") throw new Error(`not denied: ${p.kind}`);
    expect(p.suggestion).toBe(
      `add "prod-newmodel00001" to scp.approvedMarketplaceProductIds (or add "${DEVELOPER}" to approvedPrincipalArns)`,
    );
    const changed = guardrailFor({
      ...withApproved,
      scp: { ...withApproved.scp, approvedMarketplaceProductIds: [...APPROVED, "prod-newmodel00001"] },
    });
    expect(previewerFor(changed).previewRecord(record).kind).toBe("allowed");
    for (const r of p.requests as ScpRequest[]) expect(await simulateScp(changed, r, r.principalArn)).toBe("Allowed");
  });

  it("preview offers no product a second statement denies by every route: both statements, approval only", () => {
    const [denied] = REALISTIC_CONFIG.scp?.denyMarketplaceProductIds ?? [];
    const p = previewerFor(guardrail).previewRecord(subscribeRecord(denied));
    if (p.kind !== "denied") throw new Error(`not denied: ${p.kind}`);
    expect(p.deniedBy.map((d) => d.sid)).toEqual([
      "DenyMarketplaceSubscribeViaBedrock",
      "DenyMarketplaceSubscribeListedProducts",
    ]);
    expect(p.suggestion).toBe(
      `add "${DEVELOPER}" to approvedPrincipalArns (denied by DenyMarketplaceSubscribeViaBedrock and ` +
        "DenyMarketplaceSubscribeListedProducts)",
    );
  });

  it("the decision table shows the approved product's subscription via Bedrock allowed to every principal", () => {
    const row = decisionTable(guardrail).rows.find((r) => r.scenario.id === "subscribe-approved-product-via-bedrock");
    expect(row?.scenario.label).toBe(`${SUBSCRIBE} to ${APPROVED[0]} via Bedrock`);
    expect(new Set(row?.cells.map((c) => c.cell))).toEqual(new Set(["allow", "not-applicable"]));
    const unapproved = decisionTable(guardrail).rows.find((r) => r.scenario.id === "subscribe-via-bedrock");
    expect(unapproved?.cells.some((c) => c.cell === "deny")).toBe(true);
  });
});
