/** `check --coverage` prints what policies/action-classification.json decides for every action. */
import { runCheck } from "../../src/cli/commands/check";
import { bundledClassification } from "../../src/policy/classification-data";
import type { CoverageCounts } from "../../src/policy/classification-table";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";
import { captureOutput } from "./helpers";

const cells = (line: string) => line.split(/\s{2,}/);

describe("check --coverage", () => {
  it("prints one row per classified action and the counts per service and decision", () => {
    const c = captureOutput();
    expect(runCheck(guardrailFor(FULL_CONFIG), { coverage: true }, c.io)).toBe(0);
    const lines = c.out().split("\n");
    const { actions } = bundledClassification();
    const rowOf = (action: string) => cells(lines.find((l) => l.startsWith(`${action} `))!);
    expect(rowOf("bedrock:InvokeModel").slice(0, 5)).toEqual([
      "bedrock:InvokeModel",
      "Read",
      "denied",
      "DenyInferenceOutsideModelAllowList (allow-list)",
      "entry",
    ]);
    expect(rowOf("bedrock:GetAgent").slice(0, 5)).toEqual([
      "bedrock:GetAgent",
      "Read",
      "allowed",
      "read-only",
      "rule:bedrock-metadata-reads",
    ]);
    expect(rowOf("bedrock:InvokeAgent")[3]).toBe("gated by bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream");
    const rows = lines.filter((l) => /^[a-z0-9-]+:[A-Za-z0-9]+ /.test(l));
    expect(rows).toHaveLength(actions.length);
    const total = cells(lines.find((l) => l.startsWith("total "))!).map((x) => x.trim());
    const count = (kind: string) => actions.filter((a) => a.decision.decision === kind).length;
    // FULL_CONFIG emits every statement (with every action): no denial is left out of its SCP.
    expect(total).toEqual([
      "total",
      String(count("denied")),
      "0",
      ...["allowed", "waived"].map((k) => String(count(k))),
      String(actions.length),
    ]);
    const bedrock = cells(lines.find((l) => l.startsWith("bedrock "))!);
    expect(Number(bedrock[5])).toBe(actions.filter((a) => a.service === "bedrock").length);
  });

  it("marks a denial whose statement this config leaves out", () => {
    const c = captureOutput();
    runCheck(guardrailFor(MINIMAL_CONFIG), { coverage: true }, c.io);
    const invoke = c
      .out()
      .split("\n")
      .find((l) => l.startsWith("bedrock:InvokeModel "))!;
    expect(cells(invoke)[3]).toBe("DenyInferenceOutsideModelAllowList (allow-list) [not in this SCP]");
  });

  it("counts apart the denials this config's SCP leaves out, per service and in all", () => {
    const countsFor = (config: object) => {
      const c = captureOutput();
      runCheck(guardrailFor(config as typeof FULL_CONFIG), { coverage: true, json: true }, c.io);
      const parsed: { actions: { action: string; statements: string[] }[]; counts: CoverageCounts[] } = JSON.parse(
        c.out(),
      );
      const leftOut = parsed.actions.filter(
        (r) => r.statements.length > 0 && r.statements.every((st) => st.endsWith(" [not in this SCP]")),
      );
      return { counts: parsed.counts, leftOut };
    };
    // Without an allow-list its statements are not emitted; with allowClaudePlatform the service's 75 actions go.
    const minimal = countsFor(MINIMAL_CONFIG);
    const claude = countsFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowClaudePlatform: true } });
    for (const { counts, leftOut } of [minimal, claude]) {
      expect(leftOut.length).toBeGreaterThan(0);
      expect(counts.at(-1)!.deniedNotInScp).toBe(leftOut.length);
      for (const row of counts.slice(0, -1))
        expect(`${row.service} ${row.deniedNotInScp}`).toBe(
          `${row.service} ${leftOut.filter((r) => r.action.startsWith(`${row.service}:`)).length}`,
        );
    }
    const anthropic = claude.counts.find((c) => c.service === "aws-external-anthropic")!;
    expect(anthropic.deniedNotInScp).toBe(anthropic.counts.denied - 1); // CallWithBearerToken stays denied
  });

  it("marks a denial whose statement this config emits without the action (scp.allowClaudePlatform)", () => {
    const rowsFor = (allowClaudePlatform: boolean) => {
      const c = captureOutput();
      runCheck(
        guardrailFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp, allowClaudePlatform } }),
        {
          coverage: true,
          json: true,
        },
        c.io,
      );
      const rows: { action: string; statements: string[] }[] = JSON.parse(c.out()).actions;
      return (action: string) => rows.find((r) => r.action === action)!.statements;
    };
    const denied = rowsFor(false);
    const allowed = rowsFor(true);
    expect(denied("aws-external-anthropic:CreateInference")).toEqual(["DenyBedrockModelAccessApis (approved-only)"]);
    expect(allowed("aws-external-anthropic:CreateInference")).toEqual([
      "DenyBedrockModelAccessApis (approved-only) [not in this SCP]",
    ]);
    // The statement still denies the model-access APIs it names, and API keys stay denied on the service.
    expect(allowed("bedrock:PutUseCaseForModelAccess")).toEqual(["DenyBedrockModelAccessApis (approved-only)"]);
    expect(allowed("aws-external-anthropic:CallWithBearerToken")).toEqual([
      "DenyBedrockModelAccessApis (approved-only) [not in this SCP]",
      "DenyBedrockApiKeyUse (long-term-key)",
    ]);
  });

  it("prints JSON with the rows and the counts", () => {
    const c = captureOutput();
    runCheck(guardrailFor(FULL_CONFIG), { coverage: true, json: true }, c.io);
    const parsed = JSON.parse(c.out());
    expect(parsed.actions).toHaveLength(bundledClassification().actions.length);
    expect(parsed.actions.find((r: { action: string }) => r.action === "aws-marketplace:Subscribe")).toMatchObject({
      decision: "denied",
      statements: [
        "DenyMarketplaceSubscribeViaBedrock (called-via-bedrock)",
        "DenyMarketplaceSubscribeListedProducts (listed-products)",
      ],
    });
    expect(parsed.counts.at(-1)).toMatchObject({ service: "total", total: parsed.actions.length });
  });
});
