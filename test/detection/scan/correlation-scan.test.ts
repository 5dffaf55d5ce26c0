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
