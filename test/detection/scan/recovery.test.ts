/** detect: one bad record costs one record (and memory stays bounded whatever the input). */
import { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, MATCHING_RECORD, NOISE_RECORD, testGuardrail } from "./helpers";

const guardrail = testGuardrail();
const enablement = (n: number): string => JSON.stringify({ ...MATCHING_RECORD, eventID: `enable-${n}` });
const noise = (n: number): string => JSON.stringify({ ...NOISE_RECORD, eventID: `noise-${n}` });

async function scanText(text: string | Buffer, opts: { gzip?: boolean; maxRecordBytes?: number; chunk?: number } = {}) {
  const bytes = opts.gzip ? zlib.gzipSync(text) : Buffer.from(text);
  const r = await new SourceScanner(guardrail, { maxRecordBytes: opts.maxRecordBytes }).scan(
    "in",
    chunksOf(bytes, opts.chunk ?? 997),
  );
  return { ...r, ids: r.findings.map((f) => f.event.id) };
}

describe("NDJSON is recovered line by line", () => {
  it.each([
    ['{"oops": ', false],
    ['{"oops": ', true],
    ["garbage text here", true],
    ["{", false],
  ])("a bad first line %j costs that line only (gzip %s)", async (bad, gzip) => {
    const r = await scanText(`${bad}\n${enablement(1)}\n${enablement(2)}\n${enablement(3)}\n`, { gzip });
    expect(r.ids).toEqual(["enable-1", "enable-2", "enable-3"]);
    const size = bad.trim().length;
    expect(r).toMatchObject({ records: 4, skippedRecords: 1, skippedBytes: size });
    expect(r.error).toBeUndefined();
    expect(r.problemSamples).toEqual([
      expect.stringMatching(
        new RegExp(`^line 1 \\(byte 0\\): not valid JSON: .*; skipped ${size} bytes, resumed at the next line$`),
      ),
    ]);
  });

  it("a garbage line in the middle is named by line number and byte offset", async () => {
    const lines = [enablement(1), "garbage text here", enablement(2), "", enablement(3)];
    const r = await scanText(lines.join("\r\n"), { gzip: true });
    expect(r.ids).toEqual(["enable-1", "enable-2", "enable-3"]);
    const at = enablement(1).length + 2;
    expect(r.problemSamples[0]).toMatch(new RegExp(`^line 2 \\(byte ${at}\\): not valid JSON`));
    expect(r).toMatchObject({ records: 4, skippedRecords: 1, skippedBytes: "garbage text here".length });
  });

  it("objects written on one line without a newline between them are all read", async () => {
    const r = await scanText(`${enablement(1)}${enablement(2)}\n${noise(1)}`, { gzip: true });
    expect(r.ids).toEqual(["enable-1", "enable-2"]);
    expect(r).toMatchObject({ records: 3, skippedRecords: 0 });
  });
});

describe("the Records layout resynchronises at the next record", () => {
  const envelope = (records: string[]): string => `{"Records":[${records.join(",")}]}`;

  it.each([
    ["truncated", (s: string) => s.slice(0, 200)],
    ["an extra bracket", (s: string) => s.replace('"userIdentity":{', '"userIdentity":{{')],
    ["garbage inside", (s: string) => s.replace('"eventTime"', 'garbage "eventTime"')],
    ["an unterminated string", (s: string) => s.replace('"bedrock.amazonaws.com"', '"bedrock.amazonaws.com')],
  ])("a record with %s costs that record", async (_, corrupt) => {
    const records = [enablement(1), noise(1), corrupt(enablement(2)), enablement(3), noise(2)];
    for (const gzip of [false, true]) {
      const r = await scanText(envelope(records), { gzip });
      expect(r.ids).toEqual(["enable-1", "enable-3"]);
      expect(r).toMatchObject({ records: 5, skippedRecords: 1 });
      expect(r.skippedBytes).toBeGreaterThan(0);
      expect(r.error).toBeUndefined();
      const at = `{"Records":[`.length + enablement(1).length + noise(1).length + 2;
      expect(r.problemSamples[0]).toMatch(new RegExp(`^record 3 \\(byte ${at}\\): .*resumed at the next record$`));
    }
  });

  it("reads concatenated delivery files (zcat *.gz) as one stream, with a damaged one in the middle", async () => {
    const text =
      envelope([enablement(1), noise(1)]) + envelope([`{"eventVersion":"1.09",`]) + "\n" + envelope([enablement(2)]);
    const r = await scanText(text, { gzip: true });
    expect(r.ids).toEqual(["enable-1", "enable-2"]);
    expect(r).toMatchObject({ records: 4, skippedRecords: 1 });
  });

  it("a truncated file names the truncation and keeps every complete record", async () => {
    const text = envelope([enablement(1), noise(1), enablement(2)]);
    const r = await scanText(text.slice(0, text.length - 40), { gzip: true });
    expect(r.ids).toEqual(["enable-1"]);
    expect(r.skippedRecords).toBe(1);
    expect(r.problemSamples[0]).toMatch(/^record 3 \(byte \d+\): not valid JSON/);
  });
});

describe("pretty-printed CloudTrail (jq .) is framed at each record as well", () => {
  const pretty = (records: string[]): string =>
    `{\n  "Records": [\n${records.map((r) => JSON.stringify(JSON.parse(r), null, 2)).join(",\n")}\n  ]\n}\n`;

  it.each([
    ["an extra bracket", (s: string) => s.replace('"userIdentity": {', '"userIdentity": {{')],
    ["garbage inside", (s: string) => s.replace('"eventTime"', 'garbage "eventTime"')],
    ["an unbalanced quote", (s: string) => s.replace('"eventName": "', '"eventName": ""')],
  ])("a record with %s costs that record, in any chunking", async (_, corrupt) => {
    const texts = pretty([enablement(1), noise(1), enablement(2), enablement(3)]).split(",\n{");
    texts[2] = corrupt(texts[2]);
    const text = texts.join(",\n{");
    // A record start may be cut by a chunk boundary anywhere (1-byte chunks cut every one).
    for (const [gzip, chunk] of [
      [false, 1],
      [false, 61],
      [true, 997],
      [true, 1 << 20],
    ] as const) {
      const r = await scanText(text, { gzip, chunk });
      expect(r.ids).toEqual(["enable-1", "enable-3"]);
      expect(r).toMatchObject({ records: 4, skippedRecords: 1 });
      expect(r.error).toBeUndefined();
      const at = text.indexOf('{\n  "eventVersion"', text.indexOf('"noise-1"'));
      expect(r.problemSamples[0]).toMatch(new RegExp(`^record 3 \\(byte ${at}\\): .*resumed at the next record$`));
    }
  });

  it("reads pretty records one after another without an envelope", async () => {
    const text = [enablement(1), noise(1), enablement(2)].map((r) => JSON.stringify(JSON.parse(r), null, 4)).join("\n");
    const r = await scanText(text, { gzip: true });
    expect(r.ids).toEqual(["enable-1", "enable-2"]);
    expect(r).toMatchObject({ records: 3, skippedRecords: 0, invalid: 0 });
    expect(r.error).toBeUndefined();
  });
});

describe("the per-record size cap", () => {
  const big = (n: number, size: number): string =>
    JSON.stringify({ ...MATCHING_RECORD, eventID: `big-${n}`, requestParameters: { pad: "x".repeat(size) } });

  it.each([
    ["records", (rs: string[]) => `{"Records":[${rs.join(",")}]}`],
    ["lines", (rs: string[]) => rs.join("\n")],
    ["pretty", (rs: string[]) => JSON.stringify({ Records: rs.map((r) => JSON.parse(r)) }, null, 1)],
  ])("skips and names a record over the cap (%s layout), and reads the others", async (_layout, write) => {
    const r = await scanText(write([enablement(1), big(1, 300_000), enablement(2)]), {
      gzip: true,
      maxRecordBytes: 100_000,
    });
    expect(r.ids).toEqual(["enable-1", "enable-2"]);
    expect(r).toMatchObject({ records: 3, skippedRecords: 1 });
    expect(r.error).toBeUndefined();
    expect(r.skippedBytes).toBeGreaterThan(300_000);
    expect(r.problemSamples[0]).toMatch(/^(record|line) 2 \(byte \d+\): larger than the 100000-byte record cap/);
  });

  it("keeps a record of exactly the cap and skips one a byte longer, also one that nests a record start", async () => {
    const cap = 4096;
    // The cap bounds the record, not the separator after it. One whose request nests an object that opens like a
    // record is handed on whole by the framer when it parses, and capped by the scanner.
    const sized = (size: number, nested: boolean): string => {
      const tags = nested ? { tags: [{ eventVersion: "x" }] } : {};
      const record = { ...MATCHING_RECORD, eventID: "capped", requestParameters: { ...tags, pad: "" } };
      record.requestParameters.pad = "x".repeat(size - JSON.stringify(record).length);
      return JSON.stringify(record);
    };
    for (const nested of [false, true])
      for (const size of [cap, cap + 1]) {
        const capped = sized(size, nested);
        expect(Buffer.byteLength(capped)).toBe(size);
        const records = [enablement(1), capped, enablement(2)];
        const envelope = `{"Records":[${records.join(",")}]}`;
        for (const [unit, gzip, chunk, text] of [
          ["record", false, 997, envelope],
          ["record", true, 997, envelope],
          ["record", true, 1 << 20, envelope],
          ["line", true, 997, records.join("\r\n")],
        ] as const) {
          const at = text.indexOf(capped);
          const r = await scanText(text, { gzip, chunk, maxRecordBytes: cap });
          if (size === cap) {
            expect(r.ids).toEqual(["enable-1", "capped", "enable-2"]);
            expect(r).toMatchObject({ records: 3, skippedRecords: 0, skippedBytes: 0 });
          } else {
            expect(r.ids).toEqual(["enable-1", "enable-2"]);
            expect(r).toMatchObject({ records: 3, skippedRecords: 1, skippedBytes: size });
            expect(r.problemSamples).toEqual([
              `${unit} 2 (byte ${at}): larger than the ${cap}-byte record cap (${size} bytes), skipped`,
            ]);
          }
        }
      }
  });

  it("keeps memory bounded on a 200 MB single record streamed through gzip (never built in memory)", async () => {
    const piece = Buffer.alloc(1024 * 1024, "a");
    const pieces = 200;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from(`{"Records":[{"eventVersion":"1.09","pad":"`);
      for (let i = 0; i < pieces; i++) yield piece;
      yield Buffer.from(`"},${enablement(1)}]}`);
    }
    const gzip = Readable.from(source()).pipe(zlib.createGzip({ level: 1 }));
    let peakArrayBuffers = 0;
    async function* sampled(): AsyncGenerator<Buffer> {
      for await (const chunk of gzip) {
        peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
        yield chunk as Buffer;
      }
    }
    const before = process.memoryUsage().arrayBuffers;
    const r = await new SourceScanner(guardrail).scan("huge", sampled());
    expect(r.findings.map((f) => f.event.id)).toEqual(["enable-1"]);
    expect(r).toMatchObject({ records: 2, skippedRecords: 1 });
    expect(r.skippedBytes).toBeGreaterThan(pieces * piece.length);
    expect(r.problemSamples[0]).toMatch(/^record 1 \(byte 12\): larger than the 16777216-byte record cap/);
    // Without the cap this held the whole record (200 MB); with it, one cap's worth plus chunks.
    expect(peakArrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});

describe("input that is not CloudTrail", () => {
  it.each([
    ['{"foo":1}', "line 1 (byte 0)"],
    ['{"awsAccountId":"111122223333","digestStartTime":"2026-01-05T00:00:00Z","logFiles":[]}', "line 1 (byte 0)"],
    ['{\n  "foo": 1\n}', "record 1"],
  ])("%s is counted and named, not passed as a clean record", async (text, label) => {
    const r = await scanText(text);
    expect(r).toMatchObject({
      records: 1,
      notCloudTrail: 1,
      notCloudTrailExample: `${label} has no eventSource/eventName`,
    });
  });

  it("counts not-CloudTrail records that the pre-filter skips too (gzip)", async () => {
    const r = await scanText(`${noise(1)}\n{"foo":1}\n`, { gzip: true });
    expect(r).toMatchObject({ records: 2, notCloudTrail: 1 });
  });
});

describe("matching records without eventID or with a bad eventTime", () => {
  it("are counted invalid and named, never silently dropped", async () => {
    const { eventID: _, ...noId } = MATCHING_RECORD;
    const badTime = { ...MATCHING_RECORD, eventID: "bad-time", eventTime: "2026-02-30T10:00:00Z" };
    const r = await scanText([JSON.stringify(noId), JSON.stringify(badTime), enablement(1)].join("\n"), { gzip: true });
    expect(r.ids).toEqual(["enable-1"]);
    expect(r.invalid).toBe(2);
    expect(r.problemSamples).toEqual([
      "line 1 (byte 0): matching record without eventID",
      expect.stringMatching(/^line 2 \(byte \d+\): matching record bad-time has no parsable eventTime$/),
    ]);
  });
});
