/**
 * `check --explain`: the decision, every denying statement and the change that allows it, for a
 * denied and an allowed request; it never disagrees with preview (same request model, checked on
 * generated histories through the option parsing); usage errors; the decision table's DENY cells
 * name their statement.
 */
import fc from "fast-check";
import { type CheckOptions, explainOptions, runCheck } from "../../src/cli/commands/check";
import { decisionTable, formatDecisionTable } from "../../src/policy/decision-table";
import { explainRequest, previewerFor } from "../../src/policy/explain";
import { guardrailFor, REALISTIC_CONFIG } from "../policy/helpers";
import { recordArb } from "../policy/history";
import { simulateScp } from "../policy/simulator";
import { captureOutput } from "./helpers";

const guardrail = guardrailFor(REALISTIC_CONFIG);
const UNLISTED = "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0";

describe("check --explain", () => {
  it("a denied request: the decision, the document and Sid, and the change that allows it", () => {
    const c = captureOutput();
    const code = runCheck(
      guardrail,
      { principal: "arn:aws:iam::111122223333:role/app/Chatbot", action: "bedrock:Converse", resource: UNLISTED },
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out()).toBe(
      "request: bedrock:InvokeModel (CloudTrail bedrock:Converse authorizes as bedrock:InvokeModel) on " +
        `${UNLISTED} by arn:aws:iam::111122223333:role/app/Chatbot\n` +
        "decision: DENY\n" +
        "  denied by DenyInferenceOutsideModelAllowList in bedrock-model-access-guardrail\n" +
        'to allow it: add "arn:aws:bedrock:*::foundation-model/deepseek.r1-v1:0" to scp.modelAllowList (or add ' +
        '"arn:aws:iam::111122223333:role/app/Chatbot" to approvedPrincipalArns)\n',
    );
  });

  it("an allowed request, and every matching statement of a request several statements deny", () => {
    const allowed = captureOutput();
    runCheck(
      guardrail,
      {
        principal: "arn:aws:iam::210987654321:role/platform/ml-platform-deployer",
        action: "bedrock:InvokeModel",
        resource: UNLISTED,
      },
      allowed.io,
    );
    expect(allowed.out()).toContain("decision: allow (not denied by the guardrail SCP");
    expect(allowed.out()).not.toMatch(/^ +denied by /m);
    const both = captureOutput();
    runCheck(
      guardrail,
      {
        json: true,
        principal: "arn:aws:iam::111122223333:role/app/Chatbot",
        action: "aws-marketplace:Subscribe",
        context: ["aws:CalledViaLast=bedrock.amazonaws.com", "aws-marketplace:ProductId=prod-abcdefgh12345"],
      },
      both.io,
    );
    const out = JSON.parse(both.out());
    expect(out.decision).toBe("deny");
    expect(out.matches.map((m: { sid: string }) => m.sid)).toEqual([
      "DenyMarketplaceSubscribeViaBedrock",
      "DenyMarketplaceSubscribeListedProducts",
    ]);
  });

  it("a model id or a cross-Region profile is explained on every resource the call is authorized on", async () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    const explain = (resource: string) =>
      explainRequest(previewerFor(guardrail), { principalArn: chatbot, action: "bedrock:Converse", resource });
    const profile = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.deepseek.r1-v1:0";
    const model = (region: string) => `arn:aws:bedrock:${region}::foundation-model/deepseek.r1-v1:0`;
    const routed = ["us-east-2", "us-west-1", "us-west-2"].map(model);
    // The simulator: the profile alone passes, the model it routes to does not.
    const simulated = (resource: string) =>
      simulateScp(guardrail, { action: "bedrock:InvokeModel", resource }, chatbot);
    expect([await simulated(profile), await simulated(model("us-west-2"))]).toEqual(["Allowed", "ExplicitlyDenied"]);
    for (const resource of [profile, "us.deepseek.r1-v1:0"]) {
      const e = explain(resource);
      expect(e.authorizedOn).toEqual([profile, UNLISTED, ...routed]);
      expect(e.routed).toEqual(routed);
      expect(`${resource}: ${e.decision} ${e.matches.map((m) => m.sid)}`).toBe(
        `${resource}: deny DenyInferenceOutsideModelAllowList`,
      );
      expect(e.suggestion).toMatch(
        /^add "arn:aws:bedrock:\*::foundation-model\/deepseek\.r1-v1:0" to scp\.modelAllowList/,
      );
    }
    // A model id is the foundation model in aws.region, as CloudTrail's modelId is in the record's Region.
    const bare = explain("deepseek.r1-v1:0");
    expect(bare.authorizedOn).toEqual([UNLISTED]);
    expect(bare.suggestion).toBe(explain(UNLISTED).suggestion);
    expect(explain("us.anthropic.claude-sonnet-4-5-20250929-v1:0").decision).toBe("allow");
    // A prompt router's models are not in its ARN: the answer says so.
    const router = explain("arn:aws:bedrock:us-east-1:111122223333:default-prompt-router/meta.llama:1");
    expect(router.note).toMatch(/also authorized on the models this resource routes to/);
    const c = captureOutput();
    runCheck(guardrail, { principal: chatbot, action: "bedrock:Converse", resource: profile }, c.io);
    expect(c.out()).toContain(
      `on ${profile} (authorized on ${profile} and ${UNLISTED}, and on the model in whichever of ` +
        `us-east-2, us-west-1, us-west-2 the profile routes it to) by ${chatbot}\ndecision: DENY\n`,
    );
  });

  it("a prompt or a custom model's name is not explained as a model: the call is authorized on the model named", () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    for (const [action, resource] of [
      ["bedrock:Converse", "arn:aws:bedrock:us-east-1:111122223333:prompt/PROMPT12AB:3"],
      ["bedrock:CreateProvisionedModelThroughput", "nova-support-tune"],
    ]) {
      const e = explainRequest(previewerFor(guardrail), { principalArn: chatbot, action, resource });
      expect(`${resource}: ${e.decision} ${e.matches.map((m) => m.sid)}`).toBe(`${resource}: allow `);
      expect(e.authorizedOn).toBeUndefined();
      expect(e.note).toMatch(/authorized on the model this names, which it does not show/);
      const c = captureOutput();
      runCheck(guardrail, { principal: chatbot, action, resource }, c.io);
      expect(c.out()).toContain(`on ${resource} by ${chatbot}\nnote: the call is authorized on the model`);
    }
  });

  it("a call the context says was made with an API key is also explained as CallWithBearerToken", async () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    const explain = (type: string) =>
      explainRequest(previewerFor(guardrail), {
        principalArn: chatbot,
        action: "bedrock:Converse",
        resource: "amazon.nova-pro-v1:0",
        context: { "bedrock:BearerTokenType": [type] },
      });
    const longTerm = explain("LONG_TERM");
    expect(`${longTerm.alsoAuthorizedAs} ${longTerm.decision} ${longTerm.matches.map((m) => m.sid)}`).toBe(
      "bedrock:CallWithBearerToken deny DenyBedrockApiKeyUse",
    );
    expect(longTerm.suggestion).toBe(
      `set scp.allowLongTermBedrockApiKeyUse to true (or add "${chatbot}" to approvedPrincipalArns)`,
    );
    const simulated = (type: string) =>
      simulateScp(
        guardrail,
        { action: "bedrock:CallWithBearerToken", resource: "*", context: { "bedrock:BearerTokenType": [type] } },
        chatbot,
      );
    expect(await simulated("LONG_TERM")).toBe("ExplicitlyDenied");
    // A short-term key is allowed unless scp.denyShortTermBedrockApiKeys: the listed model decides.
    expect(await simulated("SHORT_TERM")).toBe("Allowed");
    expect(explain("SHORT_TERM").decision).toBe("allow");
  });

  it("an unlisted model called with a long-term API key: the change that lets both its requests through", async () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    const e = explainRequest(previewerFor(guardrail), {
      principalArn: chatbot,
      action: "bedrock:Converse",
      resource: "deepseek.r1-v1:0",
      context: { "bedrock:BearerTokenType": ["LONG_TERM"] },
    });
    expect(e.matches.map((m) => m.sid)).toEqual(["DenyInferenceOutsideModelAllowList", "DenyBedrockApiKeyUse"]);
    // Allow-listing the model leaves CallWithBearerToken denied: the model and the key setting together, or approving
    // the principal, let the call through.
    const model = "arn:aws:bedrock:*::foundation-model/deepseek.r1-v1:0";
    expect(e.suggestion).toBe(
      `add "${model}" to scp.modelAllowList and set scp.allowLongTermBedrockApiKeyUse to true (or add "${chatbot}" ` +
        "to approvedPrincipalArns) (denied by DenyInferenceOutsideModelAllowList and DenyBedrockApiKeyUse)",
    );
    const approved = guardrailFor({
      ...REALISTIC_CONFIG,
      approvedPrincipalArns: [...REALISTIC_CONFIG.approvedPrincipalArns, chatbot],
    });
    const changed = guardrailFor({
      ...REALISTIC_CONFIG,
      scp: {
        ...REALISTIC_CONFIG.scp,
        modelAllowList: [...(REALISTIC_CONFIG.scp?.modelAllowList ?? []), model],
        allowLongTermBedrockApiKeyUse: true,
      },
    });
    for (const request of [
      { action: "bedrock:InvokeModel", resource: "arn:aws:bedrock:us-east-1::foundation-model/deepseek.r1-v1:0" },
      { action: "bedrock:CallWithBearerToken", resource: "*", context: { "bedrock:BearerTokenType": ["LONG_TERM"] } },
    ])
      for (const alternative of [approved, changed])
        expect(`${request.action} ${await simulateScp(alternative, request, chatbot)}`).toBe(
          `${request.action} Allowed`,
        );
  });

  it("a bearer-token type key is read in any case, as IAM reads condition key names", async () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    // AWS's API-key pages write the key bedrock:bearerTokenType; IAM matches it to the SCP's bedrock:BearerTokenType
    // (a short-term key passes only because the simulator reads the key in that case).
    const context = (type: string) => ({ "bedrock:bearerTokenType": [type] });
    for (const [type, simulatedResult, decision] of [
      ["LONG_TERM", "ExplicitlyDenied", "deny"],
      ["SHORT_TERM", "Allowed", "allow"],
    ]) {
      const request = { action: "bedrock:CallWithBearerToken", resource: "*", context: context(type) };
      expect(await simulateScp(guardrail, request, chatbot)).toBe(simulatedResult);
      const e = explainRequest(previewerFor(guardrail), {
        principalArn: chatbot,
        action: "bedrock:Converse",
        resource: "amazon.nova-pro-v1:0",
        context: context(type),
      });
      expect(`${type}: ${e.alsoAuthorizedAs} ${e.decision}`).toBe(`${type}: bedrock:CallWithBearerToken ${decision}`);
    }
  });

  it("an action or event name is read in any case, as IAM reads action names", async () => {
    const chatbot = "arn:aws:iam::111122223333:role/app/Chatbot";
    const listedProfile = "us.amazon.nova-pro-v1:0";
    const explain = (action: string, resource: string) => {
      const e = explainRequest(previewerFor(guardrail), { principalArn: chatbot, action, resource });
      return `${action} ${resource}: ${e.request.action} ${e.decision} ${e.matches.map((m) => m.sid)}`;
    };
    // The simulator matches the SCP's actions in any case: a listed model passes, an unlisted one is denied.
    const model = (id: string) => `arn:aws:bedrock:us-west-2::foundation-model/${id}`;
    const simulated = (resource: string) =>
      simulateScp(guardrail, { action: "bedrock:invokemodel", resource }, chatbot);
    expect([await simulated(model("amazon.nova-pro-v1:0")), await simulated(UNLISTED)]).toEqual([
      "Allowed",
      "ExplicitlyDenied",
    ]);
    expect([
      explain("bedrock:invokemodel", listedProfile),
      explain("bedrock:converse", UNLISTED),
      explain("bedrock:CONVERSESTREAM", UNLISTED),
    ]).toEqual([
      `bedrock:invokemodel ${listedProfile}: bedrock:InvokeModel allow `,
      `bedrock:converse ${UNLISTED}: bedrock:InvokeModel deny DenyInferenceOutsideModelAllowList`,
      `bedrock:CONVERSESTREAM ${UNLISTED}: bedrock:InvokeModelWithResponseStream deny ` +
        "DenyInferenceOutsideModelAllowList",
    ]);
    // The model is still needed, whatever the case.
    const c = captureOutput();
    expect(runCheck(guardrail, { principal: chatbot, action: "bedrock:invokemodel" }, c.io)).toBe(2);
    expect(c.err()).toContain("--resource is needed with bedrock:invokemodel");
  });

  it("usage errors name the option and exit 2", () => {
    for (const [opts, message] of [
      [{ explain: true }, /needs --principal ARN and --action/],
      [{ principal: "bob", action: "bedrock:InvokeModel" }, /--principal must be the aws:PrincipalArn/],
      // only an ARN the config accepts, so that the suggestion to approve it can be followed
      [
        { principal: "arn:aws:sts::111122223333:assumed-role/App/s", action: "bedrock:InvokeModel" },
        /--principal must be the aws:PrincipalArn .*, which names a session ARN; aws:PrincipalArn is the role ARN/,
      ],
      [{ principal: "arn:aws:iam::111122223333:role/*", action: "bedrock:InvokeModel" }, /which has a wildcard/],
      [{ principal: "arn:aws:iam::111122223333:*", action: "bedrock:InvokeModel" }, /which has a wildcard/],
      // another partition than aws.region's: the config refuses it there
      [
        { principal: "arn:aws-cn:iam::111122223333:role/app/Chatbot", action: "bedrock:InvokeModel" },
        /which is in partition aws-cn, but aws.region us-east-1 is in aws/,
      ],
      [{ principal: "arn:aws:iam::111122223333:role/X", action: "InvokeModel" }, /--action must be SERVICE:ACTION/],
      [
        { principal: "arn:aws:iam::111122223333:role/X", action: "bedrock:InvokeModel", context: ["novalue"] },
        /--context takes key=value/,
      ],
      // a model action without its model: nothing to match the allow-list against
      [
        { principal: "arn:aws:iam::111122223333:role/X", action: "bedrock:Converse" },
        /--resource is needed with bedrock:Converse: the model id or ARN the call names/,
      ],
    ] as [CheckOptions, RegExp][]) {
      const c = captureOutput();
      expect(runCheck(guardrail, opts, c.io)).toBe(2);
      expect(c.err()).toMatch(message);
    }
  });

  it("a part of a request is never dropped: alone it asks for the rest, with --coverage it is refused", () => {
    for (const [opts, message] of [
      [{ resource: "anthropic.claude-v2" }, "check: --explain needs --principal ARN and --action SERVICE:ACTION\n"],
      [{ context: ["aws:CalledViaLast=bedrock.amazonaws.com"] }, /^check: --explain needs --principal ARN/],
      [
        { coverage: true, principal: "arn:aws:iam::111122223333:role/X", action: "bedrock:InvokeModel" },
        "check: --coverage and an --explain request (--principal, --action) are two reports: give one\n",
      ],
      [{ coverage: true, explain: true }, /^check: --coverage and an --explain request \(--explain\)/],
      // Given empty (--principal=) is still a request: refused, not read as no request and run as a whole check.
      [{ principal: "" }, "check: --explain needs --principal ARN and --action SERVICE:ACTION\n"],
      [{ action: "bedrock:InvokeModel", resource: "" }, /^check: --explain needs --principal ARN/],
    ] as [CheckOptions, RegExp | string][]) {
      const c = captureOutput();
      expect(runCheck(guardrail, opts, c.io)).toBe(2);
      expect(c.err()).toMatch(message);
      expect(c.out()).toBe("");
    }
  });

  it("a bad value is quoted and cut in its one line, never echoed in full nor split", () => {
    const role = "arn:aws:iam::111122223333:role/X";
    const long = "x".repeat(5000);
    for (const [opts, option] of [
      [{ principal: long, action: "bedrock:InvokeModel" }, "--principal"],
      [{ principal: `bob\n${long}`, action: "bedrock:InvokeModel" }, "--principal"],
      [{ principal: role, action: `bedrock:${long}\nforged` }, "--action"],
      [{ principal: role, action: "bedrock:InvokeModel", context: [long] }, "--context"],
    ] as [CheckOptions, string][]) {
      const c = captureOutput();
      expect(runCheck(guardrail, opts, c.io)).toBe(2);
      expect(c.err()).toMatch(
        new RegExp(`^check: ${option} .*, got "[^\n]*\\.\\.\\. \\(\\d+ more characters\\)[^\n]*\n$`),
      );
      expect(c.err().length).toBeLessThan(300);
    }
  });

  it("never disagrees with preview: each request preview rebuilds from a 90-day history, through the options", () => {
    const previewer = previewerFor(guardrail);
    let compared = 0;
    for (const record of fc.sample(recordArb(Date.UTC(2026, 8, 1), 90), { numRuns: 500, seed: 3 })) {
      const p = previewer.previewRecord(record);
      if (p.kind !== "allowed" && p.kind !== "denied") continue;
      for (const r of p.requests) {
        const decided = previewer.decide(r);
        // A principal the record does not show cannot be given to --principal.
        if (decided.decision === "undetermined" || r.unknownKeys?.includes("aws:PrincipalArn")) continue;
        const parsed = explainOptions({
          principal: r.principalArn,
          action: r.action,
          resource: r.resource,
          context: Object.entries(r.context ?? {}).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)),
        });
        if (typeof parsed === "string") throw new Error(parsed);
        const e = explainRequest(previewer, parsed);
        // A profile is explained on the profile and its model: the same requests preview rebuilt for the record.
        const covered = p.requests.filter(
          (q) => q.action === r.action && (e.authorizedOn ?? [r.resource]).includes(q.resource),
        );
        expect(covered.length).toBe((e.authorizedOn ?? [r.resource]).length);
        // A profile's routed Regions decide together, as preview decides them for the record.
        const call = previewer.decideCall(covered);
        if (call.decision === "undetermined") continue;
        expect(e.decision).toBe(call.decision);
        if (call.decision === "deny") expect(e.matches[0].sid).toBe(call.sid);
        compared++;
      }
      if (p.kind === "denied") {
        // The call as one request, with every condition key of its requests (an API key's type among them).
        const denied = p.requests.find((r) => r.action === p.action && r.resource === p.resource)!;
        const context = Object.assign({}, ...p.requests.map((r) => r.context));
        const e = explainRequest(previewer, { ...denied, context });
        expect(e.suggestion).toBe(p.suggestion);
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});

describe("the decision table names the statement of every DENY cell", () => {
  it("each row's denied-by column is the Sid of its DENY cells (lettered when a row has several)", () => {
    const table = decisionTable(guardrail);
    const text = formatDecisionTable(table).split("\n");
    for (const row of table.rows) {
      const sids = [...new Set(row.cells.filter((c) => c.cell === "deny").map((c) => c.deniedBy))];
      const line = text.find((l) => l.startsWith(`${row.scenario.label}  `))!;
      if (sids.length === 0) expect(line.trimEnd().endsWith("allow") || line.trimEnd().endsWith("n/a")).toBe(true);
      else if (sids.length === 1) expect(line.trimEnd().endsWith(`  ${sids[0]}`)).toBe(true);
      else for (const sid of sids) expect(line).toContain(`=${sid}`);
    }
  });
});
