/**
 * SCP size with the review's realistic configuration: every document stays within the 5,120-character
 * quota (split as needed) and within the policies a target can hold besides FullAWSAccess. The
 * sizes are printed so they can be reported.
 */
import { buildScpDocuments } from "../../src/policy/documents";
import { lintScp } from "../../src/policy/lint";
import { buildScpStatements } from "../../src/policy/statements";
import { guardrailFor, REALISTIC_CONFIG } from "./helpers";

const QUOTA = 5120;
/** SCPs a target can hold, FullAWSAccess included (AWS's long-standing quota). */
const POLICIES_PER_TARGET = 5;

describe.each([
  ["realistic", REALISTIC_CONFIG],
  [
    "realistic, short-term API keys denied too",
    { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  ],
])("SCP size (%s config)", (name, config) => {
  const guardrail = guardrailFor(config);
  const documents = buildScpDocuments(guardrail);

  it("fits the quota, in few enough documents, with every statement kept in order", () => {
    const sizes = documents.map((d) => `${d.name} ${d.size}/${QUOTA} [${d.policy.Statement.map((s) => s.Sid)}]`);
    console.log(`SCP sizes (${name}): ${sizes.join("; ")}`);
    for (const d of documents) expect(d.size).toBeLessThanOrEqual(QUOTA);
    expect(documents.length).toBeLessThanOrEqual(POLICIES_PER_TARGET - 1);
    expect(documents.flatMap((d) => d.policy.Statement.map((s) => s.Sid))).toEqual(
      buildScpStatements(guardrail).map((s) => s.Sid),
    );
    const lint = lintScp(guardrail);
    expect(lint.errors).toEqual([]);
    expect(lint.warnings.map((w) => w.code)).not.toContain("too-many-policies");
  });
});
