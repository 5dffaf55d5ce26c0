/**
 * Security Hub in the Lambda wiring: the environment variable is checked like the others, the
 * scheduled job's handler builds the importer from it (and refuses to start without it when the
 * config turns Security Hub on), and the realtime path queues its findings for the scheduled job.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FindingImporter } from "../../src/aws/securityhub";
import type { CloudTrailRecord } from "../../src/detection/record";
import { readHandlerEnv } from "../../src/runtime/env";
import type { QuerySource } from "../../src/runtime/query/source";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, EDS_ARN, eventBridgeEvent, guardrailWith, simEvent, TOPIC_ARN } from "../runtime/helpers";

jest.mock("../../src/wiring/adapters", () => ({
  makeStateStore: jest.fn(),
  makeQuerySource: jest.fn(),
  // No correlation source: these tests are about the event rules' wiring.
  makeCorrelationSources: jest.fn(() => ({})),
  makeNotifier: jest.fn(),
  makeResponder: jest.fn(),
  makeOrganizationLookup: jest.fn(),
  makeOrganizationReader: jest.fn(),
  makeSecurityHubImporter: jest.fn(),
}));
const wiring = jest.requireMock("../../src/wiring/adapters") as Record<string, jest.Mock>;
import * as queryJob from "../../src/handlers/query-job";
import { processEvent } from "../../src/handlers/realtime";

const PRODUCT = "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default";
const BASE_ENV = {
  STATE_TABLE_NAME: "t",
  ALERT_TOPIC_ARN: TOPIC_ARN,
  BACKEND: "cloudtrail-lake",
  EVENT_DATA_STORE_ARN: EDS_ARN,
};
const ENV_KEYS = [...Object.keys(BASE_ENV), "GUARDRAIL_CONFIG", "DRIFT_CHECK", "SECURITY_HUB_PRODUCT_ARN"];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  queryJob.resetForTests();
  jest.restoreAllMocks();
});

describe("SECURITY_HUB_PRODUCT_ARN", () => {
  it("is read when set and refused unless it is the account's own default product", () => {
    expect(readHandlerEnv("query-job", { ...BASE_ENV, SECURITY_HUB_PRODUCT_ARN: PRODUCT }).securityHubProductArn).toBe(
      PRODUCT,
    );
    expect(readHandlerEnv("query-job", BASE_ENV).securityHubProductArn).toBeUndefined();
    for (const bad of [
      "arn:aws:securityhub:us-east-1::product/aws/guardduty",
      "arn:aws:securityhub:us-east-1:111122223333:product/444455556666/default",
      "arn:aws:sns:us-east-1:111122223333:product/111122223333/default",
    ])
      expect(() => readHandlerEnv("query-job", { ...BASE_ENV, SECURITY_HUB_PRODUCT_ARN: bad })).toThrow(
        /SECURITY_HUB_PRODUCT_ARN must be arn:<partition>:securityhub:<region>:<account>:product\/<account>\/default/,
      );
  });
});

describe("query-job handler with monitor.securityHub.enabled", () => {
  function configure(withArn: boolean): string[][] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bg-sh-"));
    const configPath = path.join(dir, "guardrail.config.json");
    fs.writeFileSync(
      configPath,
      JSON.stringify({
        approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
        monitor: { securityHub: { enabled: true } },
      }),
    );
    Object.assign(process.env, BASE_ENV, { GUARDRAIL_CONFIG: configPath, DRIFT_CHECK: "false" });
    if (withArn) process.env.SECURITY_HUB_PRODUCT_ARN = PRODUCT;
    else delete process.env.SECURITY_HUB_PRODUCT_ARN;
    const record = eventBridgeEvent(simEvent("sh-1", new Date(Date.now() - 60_000), 0)).detail as CloudTrailRecord;
    const source: QuerySource = {
      backend: "cloudtrail-lake",
      run: async () => ({ records: [record], rows: 1, bytesScanned: 0, unreadable: [] }),
    };
    const requests: string[][] = [];
    const importer: FindingImporter = {
      importFindings: async (fs) => {
        requests.push(fs.map((f) => f.event.id));
        return [];
      },
    };
    wiring.makeStateStore.mockReturnValue(new MemoryStateStore());
    wiring.makeQuerySource.mockReturnValue(source);
    wiring.makeNotifier.mockReturnValue({ publish: async () => undefined });
    wiring.makeSecurityHubImporter.mockReturnValue(importer);
    jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    jest.spyOn(console, "error").mockImplementation(() => undefined);
    return requests;
  }

  it("imports the run's findings through the importer built from the product ARN", async () => {
    const requests = configure(true);
    const summary = await queryJob.handler(undefined, { awsRequestId: "inv-1" });
    expect(wiring.makeSecurityHubImporter).toHaveBeenCalledWith(PRODUCT);
    expect(summary.securityHub).toEqual({ imported: 1, failed: 0, queued: 0 });
    expect(requests).toEqual([["sh-1"]]);
  });

  it("refuses to start without the product ARN, naming the variable", async () => {
    configure(false);
    await expect(queryJob.handler(undefined, { awsRequestId: "inv-1" })).rejects.toThrow(
      /SECURITY_HUB_PRODUCT_ARN is not set \(required when monitor.securityHub.enabled\)/,
    );
  });
});

describe("realtime path with Security Hub on", () => {
  it("queues its new finding for the scheduled job's export, atomically with the claim", async () => {
    const store = new MemoryStateStore();
    const deps = {
      guardrail: guardrailWith({ monitor: { securityHub: { enabled: true } } }),
      store,
      notifier: { publish: async () => undefined },
      jobName: "query-job",
      now: () => at("2026-07-01T12:00:00Z"),
    };
    await processEvent(deps, eventBridgeEvent(simEvent("rt-sh", at("2026-07-01T11:59:50Z"), 0)), "inv-1");
    expect((await store.listExports("query-job")).map((i) => i.eventId)).toEqual(["rt-sh"]);
    await processEvent(
      { ...deps, guardrail: guardrailWith() },
      eventBridgeEvent(simEvent("rt-off", at("2026-07-01T11:59:55Z"), 0)),
      "inv-2",
    );
    expect((await store.listExports("query-job")).map((i) => i.eventId)).toEqual(["rt-sh"]);
  });
});
