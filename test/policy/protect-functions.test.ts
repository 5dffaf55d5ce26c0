/**
 * The tool's Lambda functions beyond their code and resource policy: their asynchronous invocation
 * configuration (ProtectExemptedPrincipals). Denied to an account admin on each of the tool's functions,
 * allowed to break-glass and the listed admins, and never denied on another function; the IAM simulator
 * and the tool's evaluator agree on every request.
 */
import { FUNCTION_NAMES } from "../../src/guardrail/tool-names";
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
