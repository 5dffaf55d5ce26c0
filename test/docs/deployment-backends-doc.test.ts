/**
 * docs/deployment.md's "Switching backends" says what a switch keeps and what each backend's monitor stack creates.
 * Both are facts of the synthesized monitor: the state partition every backend's job writes (which decides where a
 * switched backend's first run starts), the event sources the created store keeps, and that every scheduled backend
 * has its row.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { MONITOR_BACKENDS, type MonitorBackend } from "../../src/config/backends";
import { resources, synthMonitor } from "../infra/helpers";

const deployment = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "deployment.md"), "utf8");
const section = /^## Switching backends\n([\s\S]*?)^## /m.exec(deployment)?.[1] ?? "";
const prose = section.replace(/\s+/g, " ");

const MONITOR: Record<MonitorBackend, GuardrailConfigInput["monitor"]> = {
  "cloudtrail-lake": {},
  "cloudwatch-logs": { backend: "cloudwatch-logs", cloudwatchLogs: { logGroups: ["org-trail"] } },
  athena: {
    backend: "athena",
    athena: { bucket: "org-trail-archive", organizationId: "o-a1b2c3d4e5", accounts: ["111122223333"] },
  },
};

/** The query job's environment on a backend. */
function jobEnvironment(backend: MonitorBackend): Record<string, string> {
  const s = synthMonitor({ monitor: MONITOR[backend] });
  const job = resources(s, "aws_lambda_function").find((f) => f.function_name === "bedrock-guardrail-query-job");
  return job?.environment.variables;
}

test("every backend's job writes one state partition, so a switch keeps the watermark, as the section says", () => {
  const jobs = MONITOR_BACKENDS.map((backend) => jobEnvironment(backend).JOB_NAME);
  expect(new Set(jobs)).toEqual(new Set(["query-job"]));
  expect(prose).toContain("every backend runs as the same job (`query-job`)");
  expect(prose).not.toContain("starts the new backend from the rule's look-back");
});

test("every scheduled backend has a row that sets it", () => {
  for (const backend of MONITOR_BACKENDS.filter((b) => b !== "cloudtrail-lake"))
    expect(section).toContain(`"backend": "${backend}"`);
});

test("the created store keeps the event sources the row names", () => {
  const [store] = resources(synthMonitor(), "aws_cloudtrail_event_data_store");
  const sources = store.advanced_event_selector.flatMap((selector: { field_selector: Record<string, any>[] }) =>
    selector.field_selector.filter((f) => f.field === "eventSource").flatMap((f) => f.equals as string[]),
  );
  const named: Record<string, string> = {
    "bedrock.amazonaws.com": "Bedrock's",
    "iam.amazonaws.com": "IAM's",
    "bedrock-mantle.amazonaws.com": "bedrock-mantle's",
    "aws-external-anthropic.amazonaws.com": "Claude Platform on AWS's",
  };
  expect(sources.filter((s: string) => !(s in named))).toEqual([]);
  for (const s of sources) expect(prose).toContain(named[s]);
});
