/**
 * The tool's Lambda functions beyond their code and resource policy: their asynchronous invocation
 * configuration (ProtectExemptedPrincipals) and event source mappings onto them
 * (ProtectGuardrailEventSourceMappings, which names the function by lambda:FunctionArn). Denied to an
 * account admin on each of the tool's functions, allowed to break-glass and the listed admins, and never
 * denied on another function; the IAM simulator and the tool's evaluator agree on every request, and preview
 * reads a mapping's function from its CloudTrail record.
 */
import { FUNCTION_NAMES } from "../../src/guardrail/tool-names";
import { previewerFor } from "../../src/policy/explain";
import { buildScpStatements } from "../../src/policy/statements";
import { evaluateScp } from "../../src/policy/evaluate";
import { EXAMPLE_SECURITY_ACCOUNT } from "../../src/policy/principals";
import { SID } from "../../src/policy/statement-ids";
import { FULL_CONFIG, guardrailFor } from "./helpers";
import { type SimulatedRequest, simulateScp } from "./simulator";

const ADMIN = "arn:aws:iam::*:role/pipeline/GuardrailDeployer";
const guardrail = guardrailFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, exemptedPrincipalAdminArns: [ADMIN] } });
const statements = buildScpStatements(guardrail);

const inSecurityAccount = (resource: string) => `arn:aws:lambda:us-east-1:${EXAMPLE_SECURITY_ACCOUNT}:${resource}`;
const role = (name: string) => `arn:aws:iam::${EXAMPLE_SECURITY_ACCOUNT}:role/${name}`;
const ACCOUNT_ADMIN = role("AdministratorAccess");
const DEPLOYER = ADMIN.replace("*", EXAMPLE_SECURITY_ACCOUNT);
const BREAK_GLASS = FULL_CONFIG.breakGlassPrincipalArns![0];
const TOOL_FUNCTIONS = Object.values(FUNCTION_NAMES).map((name) => inSecurityAccount(`function:${name}`));
const OTHER_FUNCTION = inSecurityAccount("function:orders-api");

/** The simulator's verdict and the evaluator's Sid (or "-"), side by side, so a disagreement shows in the message. */
async function decide(request: SimulatedRequest, principalArn: string): Promise<string> {
  const simulated = await simulateScp(guardrail, request, principalArn);
  const evaluated = evaluateScp(statements, { ...request, principalArn }).deniedBy ?? "-";
  return `${simulated} ${evaluated}`;
}

describe("the asynchronous invocation configuration of the tool's functions", () => {
  const actions = ["lambda:PutFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig"];

  it.each(actions)("%s is denied to an account admin on each tool function, and to nobody on another", async (a) => {
    for (const resource of TOOL_FUNCTIONS) {
      expect(`${resource}: ${await decide({ action: a, resource }, ACCOUNT_ADMIN)}`).toBe(
        `${resource}: ExplicitlyDenied ${SID.protectExempted}`,
      );
      for (const passer of [DEPLOYER, BREAK_GLASS])
        expect(`${passer}: ${await decide({ action: a, resource }, passer)}`).toBe(`${passer}: Allowed -`);
    }
    expect(await decide({ action: a, resource: OTHER_FUNCTION }, ACCOUNT_ADMIN)).toBe("Allowed -");
  });
});

describe("event source mappings onto the tool's functions", () => {
  const MAPPING = inSecurityAccount("event-source-mapping:a1b2c3d4-5678-90ab-cdef-11111EXAMPLE");
  /** Creating names no resource; updating names the mapping. Either way the function is lambda:FunctionArn. */
  const onto = (action: string, functionArn?: string): SimulatedRequest => ({
    action,
    resource: action.endsWith("CreateEventSourceMapping") ? "*" : MAPPING,
    ...(functionArn ? { context: { "lambda:FunctionArn": [functionArn] } } : {}),
  });

  it.each(["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping"])(
    "%s is denied to an account admin onto each tool function (an alias too), to nobody onto another",
    async (action) => {
      for (const fn of [...TOOL_FUNCTIONS, `${TOOL_FUNCTIONS[0]}:live`]) {
        expect(`${fn}: ${await decide(onto(action, fn), ACCOUNT_ADMIN)}`).toBe(
          `${fn}: ExplicitlyDenied ${SID.protectEventSources}`,
        );
        for (const passer of [DEPLOYER, BREAK_GLASS])
          expect(`${passer}: ${await decide(onto(action, fn), passer)}`).toBe(`${passer}: Allowed -`);
      }
      expect(await decide(onto(action, OTHER_FUNCTION), ACCOUNT_ADMIN)).toBe("Allowed -");
      // ArnLike holds nothing when the key is absent, in IAM and in the evaluator alike.
      expect(await decide(onto(action), ACCOUNT_ADMIN)).toBe("Allowed -");
    },
  );

  it("preview denies a record of a mapping onto a tool function, names the remedy, and cannot tell an update", () => {
    const previewer = previewerFor(guardrail);
    const record = (eventName: string, requestParameters: Record<string, string>) => ({
      eventVersion: "1.09",
      eventTime: "2026-09-01T10:00:00Z",
      eventSource: "lambda.amazonaws.com",
      eventName,
      awsRegion: "us-east-1",
      recipientAccountId: EXAMPLE_SECURITY_ACCOUNT,
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${EXAMPLE_SECURITY_ACCOUNT}:assumed-role/AdministratorAccess/alice`,
        accountId: EXAMPLE_SECURITY_ACCOUNT,
        sessionContext: { sessionIssuer: { type: "Role", arn: ACCOUNT_ADMIN, accountId: EXAMPLE_SECURITY_ACCOUNT } },
      },
      requestParameters,
    });
    const create = (functionName: string) =>
      previewer.previewRecord(
        record("CreateEventSourceMapping20150331", { functionName, eventSourceArn: "arn:aws:sqs:us-east-1:1:q" }),
      );
    const denied = create(FUNCTION_NAMES.realtime);
    expect(denied.kind === "denied" && [denied.sid, denied.suggestion]).toEqual([
      SID.protectEventSources,
      `add "${ACCOUNT_ADMIN}" to scp.exemptedPrincipalAdminArns`,
    ]);
    expect(create(TOOL_FUNCTIONS[1]).kind).toBe("denied");
    expect(create("orders-api").kind).toBe("allowed");
    // An update names the function only when it changes it.
    const update = previewer.previewRecord(
      record("UpdateEventSourceMapping20150331", { uUID: "a1b2", batchSize: "1" }),
    );
    expect(update.kind === "undetermined" && update.missing).toMatch(/^lambda:FunctionArn \(statement /);
  });

  it("is not emitted with scp.protectGuardrail off", () => {
    const off = guardrailFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, protectGuardrail: false } });
    expect(buildScpStatements(off).map((s) => s.Sid)).not.toContain(SID.protectEventSources);
  });
});
