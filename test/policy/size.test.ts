/**
 * SCP size and packing at AWS's quotas (10,240 characters, 10 policies per target since May 2026):
 * the realistic configuration fits in at most two documents; first-fit-decreasing packing is tight
 * (no two of its documents could be one) and beats in-order packing where the issue measured it; and
 * no decision changes with the packing: every decision-table cell is simulated against the in-order
 * documents and against the packed ones. The sizes are printed so they can be reported.
 *
 * @slow (simulates every decision-table cell twice for two configs)
 */
import fc from "fast-check";
import { SCP_QUOTAS } from "../../src/config/aws-limits";
import { decisionTable } from "../../src/policy/decision-table";
import { buildScpDocuments, minify, packStatements, policyOf } from "../../src/policy/documents";
import { lintScp } from "../../src/policy/lint";
import { buildScpStatements } from "../../src/policy/statements";
import type { ScpDocument, ScpStatement } from "../../src/policy/types";
import { guardrailFor, modelsWithProfiles, REALISTIC_CONFIG, REALISTIC_MODEL_IDS } from "./helpers";
import { simulateScp } from "./simulator";

/** The packing before first fit decreasing: in statement order, a new document at the first misfit. */
function packInOrder(statements: ScpStatement[], maxSize: number): ScpDocument[] {
  const groups: ScpStatement[][] = [];
  for (const s of statements) {
    const current = groups[groups.length - 1];
    if (current && minify(policyOf([...current, s])).length <= maxSize) current.push(s);
    else groups.push([s]);
  }
  return groups.map((g, i) => {
    const content = minify(policyOf(g));
    return { name: `in-order-${i}`, policy: policyOf(g), content, size: content.length };
  });
}

/** The realistic config's ten models and five more. */
const MODELS = [
  ...REALISTIC_MODEL_IDS,
  "amazon.nova-premier-v1:0",
  "deepseek.r1-v1:0",
  "openai.gpt-oss-120b-1:0",
  "meta.llama4-maverick-17b-instruct-v1:0",
  "writer.palmyra-x5-v1:0",
];

/** The issue's first measurement: 4 approved roles (Identity Center among them), 2 break-glass, 15 models. */
const ISSUE_CONFIG = {
  approvedPrincipalArns: REALISTIC_CONFIG.approvedPrincipalArns.slice(0, 4),
  breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass", "arn:aws:iam::123456789012:role/BreakGlass2"],
  scp: {
    modelAllowList: modelsWithProfiles(MODELS),
  },
};

describe.each([
  ["realistic", REALISTIC_CONFIG],
  [
    "realistic, short-term API keys denied too",
    { ...REALISTIC_CONFIG, scp: { ...REALISTIC_CONFIG.scp, denyShortTermBedrockApiKeys: true } },
  ],
])("SCP size at AWS's quotas (%s config)", (name, config) => {
  const guardrail = guardrailFor(config);
  const documents = buildScpDocuments(guardrail);

  it("fits in at most two documents, every statement exactly once, with the root's slots to spare", () => {
    const sizes = documents.map((d) => `${d.name} ${d.size} [${d.policy.Statement.map((s) => s.Sid)}]`);
    console.log(`SCP sizes (${name}, ${SCP_QUOTAS.maxPolicySize} at most): ${sizes.join("; ")}`);
    expect(guardrail.config.scp.maxPolicySize).toBe(10_240);
    expect(guardrail.config.scp.maxPoliciesPerTarget).toBe(10);
    for (const d of documents) expect(d.size).toBeLessThanOrEqual(SCP_QUOTAS.maxPolicySize);
    expect(documents.length).toBeLessThanOrEqual(2);
    expect(documents.flatMap((d) => d.policy.Statement.map((s) => s.Sid)).sort()).toEqual(
      buildScpStatements(guardrail)
        .map((s) => s.Sid)
        .sort(),
    );
    expect(lintScp(guardrail).errors).toEqual([]);
  });
});

describe("first-fit-decreasing packing", () => {
  // The issue measured 5 in order and 4 packed at the old 5,120 quota; the statement compaction (one
  // inference statement, one bearer-token statement) took one document off each, and protecting the
  // monitor's queue and log groups added 355 characters, so at 5,120 both now need 4 (of 15,744
  // characters of statements). At 5,500 packing still saves a document.
  it("needs 3 documents where in-order packing needs 4 (the issue's config at 5,500 characters)", () => {
    const statements = buildScpStatements(guardrailFor(ISSUE_CONFIG));
    expect(packInOrder(statements, 5500)).toHaveLength(4);
    expect(packStatements(statements, 5500, "p")).toHaveLength(3);
    expect(packStatements(statements, 5120, "p")).toHaveLength(4);
  });

  const statement = fc
    .record({ sid: fc.stringMatching(/^[A-Za-z]{1,12}$/), padding: fc.integer({ min: 0, max: 900 }) })
    .map(
      ({ sid, padding }): ScpStatement => ({
        Sid: sid,
        Effect: "Deny",
        Action: [`svc:A${"x".repeat(padding)}`],
        Resource: "*",
        Condition: {},
      }),
    );

  it("is tight: every document within the limit, exactly sized, no two of them could be merged", () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 25 }), fc.integer({ min: 1000, max: 3000 }), (list, max) => {
        const docs = packStatements(list, max, "p");
        expect(docs.flatMap((d) => d.policy.Statement)).toHaveLength(list.length);
        for (const d of docs) {
          expect(d.size).toBe(minify(d.policy).length);
          if (d.policy.Statement.length > 1) expect(d.size).toBeLessThanOrEqual(max);
        }
        for (let i = 0; i < docs.length; i++)
          for (let j = i + 1; j < docs.length; j++) {
            const merged = minify(policyOf([...docs[i].policy.Statement, ...docs[j].policy.Statement])).length;
            expect(merged).toBeGreaterThan(max);
          }
      }),
      { numRuns: 300 },
    );
  });
});

// The realistic config at AWS's quota (two documents) and at half of it (more documents than any real
// config needs): each cell is simulated twice, so a third config cost seconds and split nothing new.
describe.each([
  ["realistic", REALISTIC_CONFIG, 10_240],
  ["realistic", REALISTIC_CONFIG, 5120],
])("no decision changes with the packing (%s config, %d characters)", (_name, config, max) => {
  const guardrail = guardrailFor({ ...config, scp: { ...config.scp, maxPolicySize: max } });
  const statements = buildScpStatements(guardrail);
  const before = packInOrder(statements, max);
  const after = packStatements(statements, max, "p");
  const cells = decisionTable(guardrail).rows.flatMap((row) =>
    row.cells.filter((c) => c.principal.scpApplies).map((c) => [row.scenario, c] as const),
  );

  it("simulates every decision-table cell the same against the in-order and the packed documents", async () => {
    expect(after.length).toBeLessThanOrEqual(before.length);
    // At the quota the packed documents are the ones synth writes, which simulate-realistic-govcloud
    // simulates cell by cell against the same table: here only the in-order ones need simulating.
    const packedSimulatedElsewhere = max === SCP_QUOTAS.maxPolicySize;
    const contents = (documents: { content: string }[]) => documents.map((d) => d.content);
    if (packedSimulatedElsewhere) expect(contents(after)).toEqual(contents(buildScpDocuments(guardrail)));
    const disagreements: string[] = [];
    for (const [scenario, cell] of cells) {
      const arn = cell.principal.principalArn;
      const want = cell.cell === "deny" ? "ExplicitlyDenied" : "Allowed";
      const was = await simulateScp(guardrail, scenario, arn, true, before);
      const is = packedSimulatedElsewhere ? want : await simulateScp(guardrail, scenario, arn, true, after);
      if (was !== want || is !== want)
        disagreements.push(`${scenario.id} by ${cell.principal.label}: in order ${was}, packed ${is}, table ${want}`);
    }
    expect(disagreements).toEqual([]);
  });
});
