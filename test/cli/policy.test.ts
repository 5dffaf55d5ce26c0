import { runPolicy } from "../../src/cli/commands/policy";
import { setRunningCommand } from "../../src/cli/report";
import { buildScpDocuments } from "../../src/policy/documents";
import { FULL_CONFIG, guardrailFor, MINIMAL_CONFIG } from "../policy/helpers";
import { captureOutput as capture } from "./helpers";

describe("policy", () => {
  it("prints [{name, size, policy}] as JSON", () => {
    const c = capture();
    const g = guardrailFor(FULL_CONFIG);
    expect(runPolicy(g, {}, c.io)).toBe(0);
    const printed = JSON.parse(c.out());
    const docs = buildScpDocuments(g);
    expect(printed).toEqual(docs.map((d) => ({ name: d.name, size: d.size, policy: d.policy })));
  });

  it("--minified prints exactly the stored content, one document per line", () => {
    const c = capture();
    const g = guardrailFor({
      ...MINIMAL_CONFIG,
      scp: { maxPolicySize: 1500, modelAllowList: ["arn:aws:bedrock:*::foundation-model/amazon.nova-*"] },
    });
    expect(runPolicy(g, { minified: true }, c.io)).toBe(0);
    expect(c.out()).toBe(
      buildScpDocuments(g)
        .map((d) => `${d.content}\n`)
        .join(""),
    );
    expect(c.out().trim().split("\n").length).toBeGreaterThan(1);
  });

  it("still prints the documents but exits 2 (a config problem) on lint errors", () => {
    const c = capture();
    const g = guardrailFor({
      approvedPrincipalArns: Array.from({ length: 40 }, (_, i) => `arn:aws:iam::${100000000000 + i}:role/Admin${i}`),
      scp: { maxPolicySize: 1000 },
    });
    expect(runPolicy(g, {}, c.io)).toBe(2);
    expect(JSON.parse(c.out())).toHaveLength(buildScpDocuments(g).length);
    expect(buildScpDocuments(g).length).toBeGreaterThan(1);
    expect(c.err()).toMatch(/over scp\.maxPolicySize 1000/);
  });

  it("still prints the documents but exits 2 naming a rule test that fails (the rules drive the monitor)", () => {
    const g = guardrailFor(FULL_CONFIG);
    const good = capture();
    expect(runPolicy(g, {}, good.io)).toBe(0);
    expect(good.err()).toBe("");

    const [first, ...rest] = g.rules;
    const wrong = { name: "deliberately wrong", expect: false, record: first.tests[0].record };
    const broken = { ...g, rules: [{ ...first, tests: [...first.tests, wrong] }, ...rest] };
    const bad = capture();
    setRunningCommand("policy");
    try {
      expect(runPolicy(broken, {}, bad.io)).toBe(2);
    } finally {
      setRunningCommand(undefined);
    }
    expect(JSON.parse(bad.out())).toHaveLength(buildScpDocuments(g).length);
    expect(bad.err()).toBe(
      "policy: rule test failed: bedrock-model-access-enabled: deliberately wrong: expected no match, got a match\n",
    );
  });
});
