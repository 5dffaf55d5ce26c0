/**
 * detect keeps, for a file, only where each record the correlation rules read is, and reads again
 * the records a finding cites: the findings are those the engine makes from the compacted records
 * themselves, whether the file is gzip or plain, or read from stdin (where the record itself is
 * carried); a record is read again from chunks it straddles. A file that changed before it was read
 * again is reported, and its findings still come, with what was known.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { compactRecord } from "../../../src/detection/correlation/compact";
import { correlate } from "../../../src/detection/correlation/engine";
import { correlationFinding } from "../../../src/detection/correlation/finding";
import type { Finding } from "../../../src/detection/finding";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { expandInputs } from "../../../src/detection/scan/inputs";
import { rangesOf } from "../../../src/detection/scan/record-reread";
import { type ScanProblem, type ScanSummary, scan } from "../../../src/detection/scan/scan";
import { historyArb } from "../correlation/histories";
import { chunksOf, testGuardrail, tsWorkerFactory } from "./helpers";

const guardrail = testGuardrail();
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "record-reread-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function detect(
  inputs: string[],
  options: { stdin?: Buffer; onResult?: () => void; jobs?: number } = {},
): Promise<{ findings: Finding[]; problems: ScanProblem[]; unreadable: ScanSummary["unreadable"] }> {
  const findings: Finding[] = [];
  const problems: ScanProblem[] = [];
  const summary = await scan(guardrail, expandInputs(inputs), {
    jobs: options.jobs ?? 1,
    minBytesForWorkers: 0,
    workerFactory: tsWorkerFactory(),
    includeApproved: true,
    baselineDays: 0,
    stdin: options.stdin && chunksOf(options.stdin, 1000),
    onResult: options.onResult,
    onFinding: (f) => findings.push(f),
    onProblem: (p) => problems.push(p),
  });
  return { findings: findings.filter((f) => f.guardrail.correlation), problems, unreadable: summary.unreadable };
}

/** The engine's findings over the records themselves, each finding built from the compacted record. */
const reference = (records: CloudTrailRecord[]): Finding[] =>
  correlate(guardrail.correlationRules, records.map(compactRecord)).map((c) => correlationFinding(guardrail, c));

/**
 * Records as CloudTrail writes them (eventVersion first: the framed layout, whose records are located),
 * unique ids, a padded userAgent so that a few hundred of them span many 32 KiB chunks.
 */
function history(seed: number): CloudTrailRecord[] {
  const records = fc.sample(historyArb, { numRuns: 4, seed }).flatMap((h, i) =>
    h.map((r) => ({
      eventVersion: "1.09",
      ...r,
      eventID: `${i}-${r.eventID}`,
      userAgent: `agent ${"x".repeat(300 + (i % 7) * 97)}`,
    })),
  );
  // Time order is restored by the scan: the file holds them newest first.
  return records.reverse();
}

test("findings from records read again are the engine's over the records: gzip, plain and stdin alike", async () => {
  const records = history(21);
  const expected = reference(records);
  expect(expected.length).toBeGreaterThan(2);
  const body = Buffer.from(JSON.stringify({ Records: records }));
  fs.writeFileSync(path.join(tmp, "records.json.gz"), zlib.gzipSync(body));
  fs.writeFileSync(path.join(tmp, "records.json"), body);
  for (const name of ["records.json.gz", "records.json"]) {
    const { findings, problems, unreadable } = await detect([path.join(tmp, name)]);
    expect({ name, findings, problems, unreadable }).toEqual({
      name,
      findings: expected,
      problems: [],
      unreadable: [],
    });
  }
  expect((await detect(["-"], { stdin: body })).findings).toEqual(expected);
  // Over the worker pool, the records split across files (each event's record read again from its own file).
  const parts = [0, 1, 2].map((k) => records.filter((_, i) => i % 3 === k));
  for (const [k, part] of parts.entries())
    fs.writeFileSync(path.join(tmp, `part-${k}.json`), JSON.stringify({ Records: part }));
  const pooled = await detect(
    [0, 1, 2].map((k) => path.join(tmp, `part-${k}.json`)),
    { jobs: 2 },
  );
  expect(pooled).toEqual({ findings: expected, problems: [], unreadable: [] });
});

test("rangesOf returns each range of a text read in chunks, across their boundaries; none past its end", async () => {
  const text = Buffer.from(Array.from({ length: 500 }, (_, i) => `record ${i};`).join(""));
  const ranges = [
    { offset: 995, length: 10 },
    { offset: 0, length: 7 },
    { offset: 1500, length: 2600 },
    { offset: 1500, length: 2600 },
    { offset: text.length - 3, length: 3 },
    { offset: text.length - 1, length: 5 },
  ];
  for (const size of [1, 1000, text.length]) {
    const got = await rangesOf(chunksOf(text, size), ranges);
    for (const { offset, length } of ranges.slice(0, 5))
      expect(got.get(offset)?.toString()).toBe(text.subarray(offset, offset + length).toString());
    expect(got.has(text.length - 1)).toBe(false);
  }
  // Only as far as the last range: the chunks after it are not read.
  let read = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of chunksOf(text, 100)) {
      read++;
      yield chunk;
    }
  }
  await rangesOf(counted(), [{ offset: 150, length: 100 }]);
  expect(read).toBe(3);
});

test("a file changed before its records are read again is reported; its findings keep what was known", async () => {
  const records = history(22);
  const expected = reference(records);
  const file = path.join(tmp, "changing.json");
  fs.writeFileSync(file, JSON.stringify({ Records: records }));
  // Rewritten once scanned (a writer still at work): every record moves.
  const onResult = () => fs.writeFileSync(file, JSON.stringify({ Records: [{ eventID: "x" }, ...records] }));
  const { findings, problems, unreadable } = await detect([file], { onResult });
  const reason = expect.stringMatching(/^changed since it was scanned \(\d+ record/);
  expect(problems).toEqual([{ name: file, kind: "unreadable", message: reason }]);
  // Counted as an unreadable input: detect's summary names it and its exit code says the run is incomplete.
  expect(unreadable).toEqual([{ name: file, reason }]);
  expect(findings.map((f) => [f.event.id, f.rule.id, f.guardrail.correlation])).toEqual(
    expected.map((f) => [f.event.id, f.rule.id, f.guardrail.correlation]),
  );
  expect(findings.every((f, i) => f.cloud.region === expected[i].cloud.region)).toBe(true);
});
