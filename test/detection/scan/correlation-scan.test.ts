/**
 * detect runs the correlation rules over the whole archive in time order: records spread over many
 * files (gzip and plain, in any order) give the findings the reference engine gives for all of them,
 * the same with one job or a worker pool.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { correlate } from "../../../src/detection/correlation/engine";
import type { Finding } from "../../../src/detection/finding";
import { expandInputs } from "../../../src/detection/scan/inputs";
import { scan } from "../../../src/detection/scan/scan";
import { historyArb, HISTORY_START_MS } from "../correlation/histories";
import { testGuardrail, tsWorkerFactory } from "./helpers";

const guardrail = testGuardrail();

async function detectIn(dir: string, jobs: number, baselineDays?: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  await scan(guardrail, expandInputs([dir]), {
    jobs,
    minBytesForWorkers: 0,
    workerFactory: tsWorkerFactory(),
    includeApproved: true,
    baselineDays,
    onFinding: (f) => findings.push(f),
  });
  return findings.filter((f) => f.guardrail.correlation);
}

test("correlation findings across files are the engine's, whatever the file order and --jobs", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-correlation-"));
  try {
    const histories = fc.sample(historyArb, { numRuns: 6, seed: 11 });
    const records = histories.flatMap((h, i) => h.map((r) => ({ ...r, eventID: `${i}-${r.eventID}` })));
    // Files hold records in an order unrelated to time: newest first, split unevenly, some gzipped.
    const shuffled = [...records].reverse();
    for (let f = 0; f < 5; f++) {
      const part = shuffled.filter((_, i) => i % 5 === f);
      const body = Buffer.from(JSON.stringify({ Records: part }));
      fs.writeFileSync(path.join(tmp, `part-${f}.json${f % 2 ? ".gz" : ""}`), f % 2 ? zlib.gzipSync(body) : body);
    }
    const expected = correlate(guardrail.correlationRules, records, { learnUntilMs: HISTORY_START_MS + 3600_000 });
    expect(expected.length).toBeGreaterThan(0);
    const one = await detectIn(tmp, 1, 0);
    const pooled = await detectIn(tmp, 2, 0);
    expect(pooled).toEqual(one);
    // --baseline-days 0 learns nothing: compare with the engine told the same.
    const engine = correlate(guardrail.correlationRules, records).map((c) => c.id);
    expect(one.map((f) => f.event.id)).toEqual(engine);
    expect(one.every((f) => f.guardrail.correlation!.event_ids.length > 0)).toBe(true);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("of two records with one time and eventID in two files, the first input's is kept, whatever --jobs", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-duplicate-"));
  try {
    const invoke = (id: string, region: string, minute: number) => ({
      eventVersion: "1.09",
      eventID: id,
      eventTime: `2026-01-15T10:${String(minute).padStart(2, "0")}:00Z`,
      eventSource: "bedrock.amazonaws.com",
      eventName: "InvokeModel",
      awsRegion: region,
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/ci", accessKeyId: "AKIAEXAMPLEEXAMPLE01" },
      requestParameters: { modelId: "amazon.nova-pro-v1:0" },
    });
    // The first file is large (its worker finishes last); its copy of "dup" is a third Region, the second
    // file's copy is not: the multi-Region rule fires only if the first input's copy is the one kept.
    const filler = Array.from({ length: 4000 }, (_, i) => ({
      ...invoke(`f${i}`, "us-east-1", 5),
      eventName: "GetUser",
    }));
    const first = [
      invoke("a", "us-east-1", 1),
      invoke("b", "us-west-2", 2),
      invoke("dup", "eu-central-1", 3),
      ...filler,
    ];
    fs.writeFileSync(path.join(tmp, "1-first.json"), JSON.stringify({ Records: first }));
    fs.writeFileSync(path.join(tmp, "2-second.json"), JSON.stringify({ Records: [invoke("dup", "us-east-1", 3)] }));
    const fired = (findings: Finding[]) =>
      findings.filter((f) => f.rule.id === "bedrock-multi-region-invocation").map((f) => f.event.id);
    const one = await detectIn(tmp, 1, 0);
    expect(fired(one)).toHaveLength(1);
    expect(await detectIn(tmp, 2, 0)).toEqual(one);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
