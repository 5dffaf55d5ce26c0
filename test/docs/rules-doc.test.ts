/**
 * docs/rules.md says where the rules run and which events the monitor's CloudTrail Lake store keeps; these
 * keep the two statements equal to the code (the Logs Insights correlation rules, the synthesized selectors).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { logsInsightsCorrelationRules } from "../../src/detection/backends/logs-insights-correlation";
import { formatRuleTests, runRuleTests } from "../../src/detection/rule-tests";
import { GuardrailEventStore } from "../../src/infra/monitor/event-store";
import { guardrailFrom, MINIMAL_CONFIG } from "../support/fixtures";

const DOC = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "rules.md"), "utf8").replace(/\s+/g, " ");
const guardrail = guardrailFrom(MINIMAL_CONFIG);

/** The doc's text from `from` up to (not including) `to`. */
function passage(from: string, to: string): string {
  const start = DOC.indexOf(from);
  expect(start).toBeGreaterThanOrEqual(0);
  return DOC.slice(start, DOC.indexOf(to, start));
}

test("the correlation rules said to run on Logs Insights are the ones the monitor runs there", () => {
  const text = passage("On CloudWatch Logs Insights only the", "EventBridge sees one event");
  const there = logsInsightsCorrelationRules(guardrail.correlationRules);
  const kinds: string[] = [...new Set(there.map((r) => r.kind))];
  const otherKinds = [...new Set(guardrail.correlationRules.map((r) => r.kind))].filter((k) => !kinds.includes(k));
  expect(kinds).toEqual(["threshold"]);
  expect(text).toContain(`only the threshold rules (${there.map((r) => `\`${r.id}\``).join(", ")}) run`);
  const said = /the ([a-z-]+(?:, [a-z-]+)*) and ([a-z-]+) rules do not run there/.exec(text);
  expect([...(said?.[1].split(", ") ?? []), said?.[2]].sort()).toEqual(otherKinds.sort());
});

test("the event sources and names said to be kept by the Lake store are the synthesized selectors", () => {
  const stack = new TerraformStack(Testing.app(), "store");
  new GuardrailEventStore(stack, "event-store", {
    rules: guardrail.rules,
    retentionDays: 90,
    terminationProtection: true,
  });
  const [store] = Object.values(JSON.parse(Testing.synth(stack)).resource.aws_cloudtrail_event_data_store) as {
    advanced_event_selector: { field_selector: { field: string; equals: string[] }[] }[];
  }[];
  const field = (s: { field_selector: { field: string; equals: string[] }[] }, name: string) =>
    s.field_selector.find((f) => f.field === name)?.equals ?? [];
  const [whole, ...named] = store.advanced_event_selector;
  const text = passage("- **CloudTrail Lake**", "- **Logs Insights**");
  expect(text).toContain(`keeps every management event of \`${field(whole, "eventSource")[0]}\``);
  const sources = named.map((s) => field(s, "eventSource")[0]);
  expect(sources).toEqual([...text.matchAll(/from `([a-z.-]+\.amazonaws\.com)`/g)].map((m) => m[1]));
  // IAM's names are listed one by one: every API-key rule's IAM event is kept, and only those.
  const iam = named.find((s) => field(s, "eventSource")[0] === "iam.amazonaws.com");
  const iamClause = passage("from `iam.amazonaws.com`", "; from");
  expect([...iamClause.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]).sort()).toEqual(
    [...field(iam!, "eventName")].sort(),
  );
});

test("the line check is said to print for a rule is the one it prints", () => {
  const said = /`check` prints one line per rule \(`([^`]+)`\)/.exec(DOC)?.[1];
  const printed = formatRuleTests(guardrail, runRuleTests(guardrail))
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "));
  expect(said).toBeDefined();
  expect(printed).toContain(said?.replace(/\s+/g, " "));
});
