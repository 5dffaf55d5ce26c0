/**
 * The scan's speed-up (RecordFramer.parsedAhead): a record the scan parses anyway is not read for its JSON depth.
 * Held here to the scan that reads every byte's depth (parsedAhead off), on what an attacker or a broken pipeline can
 * write: forged records nested in a real one, `},`, quotes and backslashes inside strings, invalid UTF-8 bytes next
 * to them, byte order marks, whitespace, concatenated files, and every chunk size (stdin streams in any). No record
 * may be lost, doubled, or read from inside another: same findings, counts, skipped bytes and problems.
 */
import * as zlib from "node:zlib";
import fc from "fast-check";
import { RecordFramer } from "../../../src/detection/scan/record-framer";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, MATCHING_RECORD, NOISE_RECORD, testGuardrail } from "./helpers";

const guardrail = testGuardrail();

/** Text a caller can put in a logged value, which the framer must not take for structure. */
const SEAMS = ["},", '"', "\\", '\\"', "}", "{", "]", "[", ",", " ", "\n", '{"eventVersion":', '},{"eventVersion":'];
const text = fc
  .array(fc.oneof(fc.constantFrom(...SEAMS, '}]}{"Records":[', "\ufeff", "é"), fc.string({ maxLength: 3 })), {
    maxLength: 5,
  })
  .map((parts) => parts.join(""));
/** Bytes that are not UTF-8 (a lead byte cut off, a stray continuation, a surrogate), a NUL, a BOM. */
const badBytes = fc.constantFrom(
  ...[[0xc3], [0xe2, 0x80], [0xff], [0xf0, 0x9f], [0xed, 0xa0, 0x80], [0x00], [0xef, 0xbb, 0xbf]].map((b) =>
    Buffer.from(b),
  ),
);
const nested = fc.constantFrom<unknown>({ eventVersion: "x" }, { ...MATCHING_RECORD, eventID: "forged" }, [
  {},
  { ...MATCHING_RECORD, eventID: "forged-in-array" },
]);
const record = fc
  .record({
    base: fc.constantFrom(MATCHING_RECORD, NOISE_RECORD),
    id: fc.nat(1000),
    value: fc.option(text),
    inner: fc.option(nested),
  })
  .map(({ base, id, value, inner }) => ({
    ...base,
    eventID: `r${id}`,
    ...(value === null && inner === null
      ? {}
      : {
          requestParameters: {
            ...(value === null ? {} : { value }),
            ...(inner === null ? {} : { inner }),
          },
        }),
  }));
/** Bytes written over part of the input: text, or bytes that are not UTF-8. */
const damage = fc.record({
  at: fc.nat(),
  bytes: fc.oneof(
    text.map((t) => Buffer.from(t)),
    badBytes,
  ),
  cut: fc.nat(3),
});

async function scanned(input: Buffer, chunkSize: number): Promise<object> {
  const r = await new SourceScanner(guardrail).scan("in", chunksOf(input, chunkSize));
  return {
    findings: r.findings.map((f) => f.event.id),
    counts: [r.records, r.skippedRecords, r.skippedBytes, r.invalid, r.notCloudTrail],
    problems: r.problemSamples,
    error: r.error,
  };
}

async function depthReadEverywhere(input: Buffer, chunkSize: number): Promise<object> {
  const off = jest
    .spyOn(RecordFramer.prototype as unknown as { parsedAhead(): boolean }, "parsedAhead")
    .mockReturnValue(false);
  try {
    return await scanned(input, chunkSize);
  } finally {
    off.mockRestore();
  }
}

describe("a record parsed ahead of its cut (its depth not read)", () => {
  it("is framed as the scan that reads every byte's depth frames it, whatever the input", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.array(damage, { maxLength: 3 }),
        fc.record({
          chunkSize: fc.integer({ min: 1, max: 3000 }),
          gzip: fc.boolean(),
          concat: fc.boolean(),
        }),
        fc.boolean(),
        async (records, damages, { chunkSize, gzip, concat }, bom) => {
          let bytes = Buffer.from(JSON.stringify({ Records: records }));
          if (concat) bytes = Buffer.concat([bytes, Buffer.from(JSON.stringify({ Records: [...records].reverse() }))]);
          for (const d of damages) {
            const at = d.at % (bytes.length + 1);
            bytes = Buffer.concat([bytes.subarray(0, at), d.bytes, bytes.subarray(Math.min(bytes.length, at + d.cut))]);
          }
          if (bom) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
          const input = gzip ? zlib.gzipSync(bytes) : bytes;
          expect(await scanned(input, chunkSize)).toEqual(await depthReadEverywhere(input, chunkSize));
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it("is not taken where the depth was resynchronised after damage, nothing after it proving the place", async () => {
    // A byte that is not UTF-8 before the envelope, and one breaking the second record's marker: the depth there is
    // a guess, and the record after it may be nested in the damaged one (unproven), parsed ahead or not.
    const records = [0, 1, 2].map((i) => ({
      ...MATCHING_RECORD,
      eventID: `r${i}`,
    }));
    const whole = Buffer.from(JSON.stringify({ Records: records }));
    const key = Buffer.from('{"eventVersion"');
    const broken = whole.indexOf(key, whole.indexOf('"r0"')) + key.length;
    const notUtf8 = Buffer.from([0xc3]);
    const input = Buffer.concat([notUtf8, whole.subarray(0, broken), notUtf8, whole.subarray(broken)]);
    for (const chunkSize of [1, 64 * 1024])
      expect(await scanned(input, chunkSize)).toEqual(await depthReadEverywhere(input, chunkSize));
  });
});
