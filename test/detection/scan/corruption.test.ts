/**
 * One bad record costs one record: take valid CloudTrail input (compact, pretty-printed and NDJSON, gzip and plain),
 * corrupt one record at a random place (truncate it, insert garbage, unbalance a bracket or a quote, inflate a
 * string past the size cap, leave a stray value after it), and check that every valid matching record outside
 * the corrupted one is still found and that the damage is named. The same inputs over the worker pool give the same.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import type { Finding } from "../../../src/detection/finding";
import { expandInputs } from "../../../src/detection/scan/inputs";
import { scan, type ScanSummary } from "../../../src/detection/scan/scan";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import type { SourceResult } from "../../../src/detection/scan/source-result";
import { chunksOf, DELIVERY_RECORDS, MATCHING_RECORD, testGuardrail, tsWorkerFactory } from "./helpers";

const guardrail = testGuardrail();
const MAX_RECORD_BYTES = 8 * 1024;
/** The fixture's records, and the agreement again, with objects in its request that open like records. */
const templates = [
  ...DELIVERY_RECORDS,
  { ...MATCHING_RECORD, requestParameters: { tags: [{}, { eventVersion: "x" }], metadata: { eventVersion: "y" } } },
];
const FINDING_TEMPLATES = [2, 3];

type Corruption =
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "inflate" }
  | { kind: "trail"; text: string };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    // Garbage, an unbalanced bracket or quote, a stray backslash (never a newline: that is a new NDJSON line).
    text: fc.oneof(
      fc.constantFrom("{", "}", "[", "]", '"', "\\", ":", ",", "garbage", '{"a":'),
      fc.string({ unit: fc.constantFrom(...'ab {}[]":,\\0'), minLength: 1, maxLength: 8 }),
    ),
  }),
  fc.record({ kind: fc.constant("inflate" as const) }),
  // A value after the intact record, in its slice (no record marker in it): a scalar, or an object the walker
  // nests well but JSON.parse refuses. The record is read; the value is damage, and must be counted as such.
  fc.record({
    kind: fc.constant("trail" as const),
    text: fc.constantFrom("42", '"stray"', "true", "-", "[1]", '{"a":"\\x"}', '{"a":01}'),
  }),
);

const inputCase = fc.record({
  kinds: fc.array(fc.integer({ min: 0, max: templates.length - 1 }), { minLength: 1, maxLength: 10 }),
  target: fc.nat(),
  corruption,
  layout: fc.constantFrom("records" as const, "lines" as const, "pretty" as const),
  gzip: fc.boolean(),
  chunk: fc.integer({ min: 1, max: 3000 }),
});
type InputCase = typeof inputCase extends fc.Arbitrary<infer T> ? T : never;

function corrupt(text: string, c: Corruption): string {
  if (c.kind === "inflate")
    return text.replace(/"userAgent":\s*"[^"]*"/, `"userAgent":"${"x".repeat(MAX_RECORD_BYTES)}"`);
  if (c.kind === "trail") return `${text} ${c.text}`;
  const at = 1 + (c.at % (text.length - 1));
  return c.kind === "truncate" ? text.slice(0, at) : text.slice(0, at) + c.text + text.slice(at);
}

/** The input's bytes, and what a correct scan must report. */
function build(c: InputCase) {
  const target = c.target % c.kinds.length;
  // Pretty: as `jq .` prints a delivery file (framed at each `{` + whitespace + "eventVersion").
  const indent = c.layout === "pretty" ? 2 : undefined;
  const texts = c.kinds.map((k, i) => JSON.stringify({ ...templates[k], eventID: `e${i}` }, null, indent));
  const damaged = corrupt(texts[target], c.corruption);
  let damagedIsValid = false;
  try {
    damagedIsValid = Buffer.byteLength(damaged) <= MAX_RECORD_BYTES && typeof JSON.parse(damaged) === "object";
  } catch {
    damagedIsValid = false;
  }
  texts[target] = damaged;
  const text =
    c.layout === "records"
      ? `{"Records":[${texts.join(",")}]}`
      : c.layout === "pretty"
        ? `{\n  "Records": [\n${texts.join(",\n")}\n  ]\n}\n`
        : `${texts.join("\n")}\n`;
  const bytes = c.gzip ? zlib.gzipSync(text) : Buffer.from(text);
  // A record cut off inside one of its arrays takes the next records in as elements (`[{}` then
  // `,{"eventVersion":...}`) while the bytes stay valid JSON: they are then nested in the damaged record,
  // as objects a caller nests are, and the scan may not tell them from those (it must never report a
  // nested object as a record). docs/detection.md states this price. Not in NDJSON: a line ends its record.
  const swallowed = new Set<number>();
  if (c.corruption.kind === "truncate" && c.layout !== "lines") {
    let before = damaged;
    for (let i = target + 1; i < texts.length && nestsNext(before, texts[i]); i++) {
      swallowed.add(i);
      before = `${before},${texts[i]}`;
    }
  }
  const mustFind = c.kinds.flatMap((k, i) =>
    FINDING_TEMPLATES.includes(k) && i !== target && !swallowed.has(i) ? [`e${i}`] : [],
  );
  // Where the damaged record is in the decoded input (the byte offset a problem names): after the records before it.
  const before = texts.slice(0, target);
  const separator = c.layout === "records" ? "," : c.layout === "pretty" ? ",\n" : "\n";
  const head = c.layout === "records" ? '{"Records":[' : c.layout === "pretty" ? '{\n  "Records": [\n' : "";
  const damagedAt = Buffer.byteLength(head + before.map((t) => t + separator).join(""));
  const damagedSpan = { from: damagedAt, to: damagedAt + Buffer.byteLength(damaged) };
  return { bytes, target, mustFind, damagedIsValid, damagedSpan };
}

/** Whether `next`, after `cut` and a comma, is valid JSON there: `cut` ended inside an array. */
function nestsNext(cut: string, next: string | undefined): boolean {
  if (next === undefined) return false;
  // Close what `cut` left open (tracked here byte by byte, strings and escapes included) and parse.
  const open: string[] = [];
  let inString = false;
  for (let i = 0; i < cut.length; i++) {
    const ch = cut[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") open.push(ch === "{" ? "}" : "]");
    else if (ch === "}" || ch === "]") open.pop();
  }
  if (inString || open.at(-1) !== "]") return false;
  try {
    JSON.parse(`${cut},${next}${open.reverse().join("")}`);
    return true;
  } catch {
    return false;
  }
}

function checkResult(c: InputCase, r: SourceResult, checked: boolean): void {
  const { target, mustFind, damagedIsValid, damagedSpan } = build(c);
  const found = r.findings.map((f) => f.event.id);
  // Every valid matching record outside the corrupted one is found, in order, and nothing else.
  // (The corrupted record may still be valid JSON, with its own eventID changed: at most one more finding.)
  expect(found.filter((id) => mustFind.includes(id))).toEqual(mustFind);
  expect(found.length - mustFind.length).toBeLessThanOrEqual(1);
  if (r.error !== undefined) {
    // Only when the corruption destroyed the start of the only record: no layout marker is left, the
    // exact walker reads the input and names where it breaks.
    expect(c.kinds).toHaveLength(1);
    expect(r.error).toMatch(/^malformed JSON: /);
    return;
  }
  if (damagedIsValid || !checked) return;
  // The damage is named: counted, and placed at the corrupted record (or the one before it, when
  // the corruption destroyed the record's own start marker and the two became one slice).
  expect(r.skippedRecords + r.invalid).toBeGreaterThanOrEqual(1);
  // The bytes skipped are the stray value's, not the record read beside it: with the space before it and what
  // follows it up to the next record (a separator, or after the last record the envelope's end, `\n  ]\n}\n`).
  if (c.corruption.kind === "trail") expect(r.skippedBytes).toBeLessThanOrEqual(c.corruption.text.length + 8);
  // (A one-record input whose record lost its marker may be read in another layout: line or record.)
  const unit = c.kinds.length === 1 ? "(?:line|record)" : c.layout === "lines" ? "line" : "record";
  // (Without any marker left, the exact walker reads the input and names the record by number only; an
  // inserted `}{` there makes the damaged record two values, and the second one is the damage it names.)
  // (A damaged record the framer cut into pieces at markers nested in it counts each piece as a record: the
  // damage may then be named by a later number, at a byte inside the damaged record.)
  const samples = r.problemSamples.join("\n");
  const insideDamaged = [...samples.matchAll(/^(?:line|record) \d+ \(byte (\d+)\):/gm)].some(
    (m) => Number(m[1]) >= damagedSpan.from && Number(m[1]) <= damagedSpan.to,
  );
  if (!insideDamaged)
    expect(samples).toMatch(
      new RegExp(`^${unit} (?:(${target}|${target + 1})( \\(byte \\d+\\))?:|${target + 2}(:| is)) `, "m"),
    );
}

describe("corrupted CloudTrail input: one bad record costs one record", () => {
  it("finds every other matching record and names the damage (property)", async () => {
    const fast = new SourceScanner(guardrail, { maxRecordBytes: MAX_RECORD_BYTES });
    const checked = new SourceScanner(guardrail, { maxRecordBytes: MAX_RECORD_BYTES, checkEveryRecord: true });
    await fc.assert(
      fc.asyncProperty(inputCase, async (c) => {
        const { bytes } = build(c);
        // Uncompressed input is always checked record by record; gzip only with checkEveryRecord.
        checkResult(c, await fast.scan("in", chunksOf(bytes, c.chunk)), !c.gzip);
        checkResult(c, await checked.scan("in", chunksOf(bytes, c.chunk)), true);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("gives the same findings, counts and problems over the worker pool", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-corrupt-"));
    try {
      const cases = fc.sample(inputCase, { numRuns: 40, seed: 9 });
      const files = cases.map((c, i) => {
        const file = path.join(tmp, `case-${String(i).padStart(2, "0")}.json${c.gzip ? ".gz" : ""}`);
        fs.writeFileSync(file, build(c).bytes);
        return file;
      });
      const run = async (jobs: number) => {
        const findings: Finding[] = [];
        const problems: string[] = [];
        const summary: ScanSummary = await scan(guardrail, expandInputs([tmp]), {
          jobs,
          minBytesForWorkers: 0,
          maxRecordBytes: MAX_RECORD_BYTES,
          checkEveryRecord: true,
          workerFactory: tsWorkerFactory(),
          onFinding: (f) => findings.push(f),
          onProblem: (p) => problems.push(`${path.basename(p.name)}: ${p.message}`),
        });
        return { findings, problems, summary: { ...summary, elapsedMs: 0 } };
      };
      const inProcess = await run(1);
      const pooled = await run(2);
      expect(pooled).toEqual(inProcess);
      // And the pool's findings are what each file must give.
      const scanner = new SourceScanner(guardrail, { maxRecordBytes: MAX_RECORD_BYTES, checkEveryRecord: true });
      for (const [i, c] of cases.entries()) checkResult(c, await scanner.scanFile(files[i]), true);
      expect(inProcess.summary.skippedRecords + inProcess.summary.invalidRecords).toBeGreaterThan(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
