/**
 * A record start's bytes (`{"eventVersion":`) also open any nested object whose first key is
 * `eventVersion`, and a caller chooses such keys (tags, metadata, filters: maps a request logs).
 * Cutting there split the record around it: a nested object built like a record was reported as
 * one (a forged finding), and the real record's pieces were ruled out (a finding lost, exit 0).
 * Valid delivery files full of such objects must give exactly the findings of parsing the file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import fc from "fast-check";
import { evaluateRecord } from "../../../src/detection/finding";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { JsonDepth } from "../../../src/detection/scan/json-depth";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, DELIVERY_RECORDS, MATCHING_RECORD, NOISE_RECORD, testGuardrail } from "./helpers";

const guardrail = testGuardrail();

/** What a caller can put in a logged request: objects that open like a record, a whole forged record among them. */
const nestedValue = (forgedId: string): fc.Arbitrary<unknown> =>
  fc.constantFrom(
    { eventVersion: "x" },
    { eventVersion: "1.08", eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances" },
    { ...MATCHING_RECORD, eventID: forgedId },
    [{}, { eventVersion: "x" }],
    [{ eventVersion: "x" }, { ...MATCHING_RECORD, eventID: forgedId }, { eventVersion: "y" }],
    { a: [{ b: { eventVersion: { eventVersion: "deep" } } }] },
  );

/** A template with nested values under caller-chosen keys: before its event source (early) or in its request. */
const record = (index: number): fc.Arbitrary<CloudTrailRecord> =>
  fc
    .record({
      template: fc.nat({ max: DELIVERY_RECORDS.length - 1 }),
      early: fc.option(nestedValue(`forged-early-${index}`), { nil: undefined }),
      request: fc.option(nestedValue(`forged-request-${index}`), { nil: undefined }),
    })
    .map(({ template, early, request }) => {
      const { eventVersion, ...rest } = DELIVERY_RECORDS[template];
      const out: CloudTrailRecord = { eventVersion, ...(early === undefined ? {} : { metadata: early }) };
      Object.assign(out, rest, { eventID: `e${index}` });
      if (request !== undefined) out.requestParameters = { tags: request, ...(rest.requestParameters as object) };
      return out;
    });

const deliveryFile = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => record(i))))
  .chain((records) =>
    fc.record({
      // With more than the 64 KiB the scan reads whole to choose the layout, the chunks reach the framer.
      records: fc
        .boolean()
        .map((large) =>
          large
            ? [...Array.from({ length: 80 }, (_, i) => ({ ...NOISE_RECORD, eventID: `pad${i}` })), ...records]
            : records,
        ),
      pretty: fc.boolean(),
      gzip: fc.boolean(),
      chunk: fc.integer({ min: 1, max: 3000 }),
    }),
  );

/** The reference: the file parsed whole, each record evaluated. */
function expectedFindings(records: CloudTrailRecord[]): string[] {
  return records.flatMap((r) => {
    const evaluation = evaluateRecord(guardrail, r);
    return "finding" in evaluation ? [evaluation.finding.event.id] : [];
  });
}

function text(records: CloudTrailRecord[], pretty: boolean): string {
  return JSON.stringify({ Records: records }, null, pretty ? 2 : undefined);
}

/** A damaged holder of record-like objects: how it is built, where it starts, and each damage done to the input. */
interface DamagedHolder {
  holder(nestedCount: number): CloudTrailRecord;
  /** The byte (= character: the input is ASCII) where the holder starts in the undamaged input. */
  holderAt(whole: string): number | undefined;
  damages: Record<string, (t: string) => string>;
}

/**
 * A holder of two or three record-like objects among real records, damaged each way given: only the real records
 * are findings, in every form of input, and every record but the holder is read, the holder named where it starts.
 */
async function expectNestedNoRecords({ holder: holderOf, holderAt: holderStart, damages }: DamagedHolder) {
  const noise = (id: string) => ({ ...NOISE_RECORD, eventID: id });
  for (const nestedCount of [2, 3]) {
    const holder = holderOf(nestedCount);
    const valid = (padded: boolean) => [
      ...(padded ? Array.from({ length: 80 }, (_, i) => noise(`pad${i}`)) : []),
      { ...MATCHING_RECORD, eventID: "real" },
      noise("n1"),
      holder,
      { ...MATCHING_RECORD, eventID: "after" },
      noise("n2"),
      { ...MATCHING_RECORD, eventID: "after-2" },
    ];
    // A delivery file compact and as `jq .` prints it, and its records as `jq '.Records[]'` prints them (no
    // envelope); small (read whole in one push) and past the 64 KiB layout probe (the framer gets the chunks);
    // alone, and followed by another file (`zcat *.gz`: what follows the damage spans the files' boundary).
    const forms: Record<string, (records: CloudTrailRecord[]) => string> = {
      compact: (records) => text(records, false),
      pretty: (records) => text(records, true),
      bare: (records) => records.map((r) => `${JSON.stringify(r, null, 2)}\n`).join(""),
    };
    const nextFile = [noise("next-1"), { ...MATCHING_RECORD, eventID: "next-2" }];
    for (const [form, write] of Object.entries(forms))
      for (const padded of [false, true])
        for (const concatenated of [false, true]) {
          const records = valid(padded);
          const whole = write(records) + (concatenated ? write(nextFile) : "");
          const holderAt = holderStart(whole);
          for (const [damage, corrupt] of Object.entries(damages)) {
            const input = corrupt(whole);
            expect(input).not.toBe(whole);
            // A gzip is parsed record by record only with checkEveryRecord (plain input always is).
            for (const [gzip, checkEveryRecord] of [
              [false, false],
              [true, false],
              [true, true],
            ]) {
              const bytes = gzip ? zlib.gzipSync(input) : Buffer.from(input);
              const scanner = new SourceScanner(guardrail, { checkEveryRecord });
              const r = await scanner.scan("in", chunksOf(bytes, 997));
              const context = [nestedCount, form, padded, concatenated, damage, gzip, checkEveryRecord].join(" ");
              const found = ["real", "after", "after-2", ...(concatenated ? ["next-2"] : [])];
              expect([context, r.findings.map((f) => f.event.id)]).toEqual([context, found]);
              if (gzip && !checkEveryRecord) continue;
              // Every record but the damaged one is read; the damaged one is skipped (as the pieces the framer
              // cut it into: at least one), never evaluated, and named where it starts.
              expect(r.invalid + r.notCloudTrail).toBe(0);
              expect(r.skippedRecords).toBeGreaterThanOrEqual(1);
              const others = records.length - 1 + (concatenated ? nextFile.length : 0);
              expect([context, r.records - r.skippedRecords]).toEqual([context, others]);
              expect(r.problemSamples[0]).toMatch(
                new RegExp(`^record ${records.indexOf(holder) + 1} \\(byte ${holderAt}\\): `),
              );
            }
          }
        }
  }
}

describe("record markers nested in a record", () => {
  it("give the findings of the file parsed whole: none forged, none lost (property)", async () => {
    const fast = new SourceScanner(guardrail);
    const checked = new SourceScanner(guardrail, { checkEveryRecord: true });
    await fc.assert(
      fc.asyncProperty(deliveryFile, async ({ records, pretty, gzip, chunk }) => {
        const raw = Buffer.from(text(records, pretty));
        const bytes = gzip ? zlib.gzipSync(raw) : raw;
        for (const scanner of [fast, checked]) {
          const result = await scanner.scan("in", chunksOf(bytes, chunk));
          expect(result.findings.map((f) => f.event.id)).toEqual(expectedFindings(records));
          expect(result.records).toBe(records.length);
          expect(result.skippedRecords + result.invalid + result.notCloudTrail).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  }, 60_000);

  it("a forged record in a caller's array is not a finding; the record holding it is", async () => {
    const holder = {
      ...NOISE_RECORD,
      eventID: "holder",
      requestParameters: { tags: [{}, { ...MATCHING_RECORD, eventID: "forged" }] },
    };
    const real = {
      ...MATCHING_RECORD,
      eventID: "real",
      requestParameters: { metadata: { eventVersion: "x" }, modelId: "m" },
    };
    const result = await new SourceScanner(guardrail).scan("in", chunksOf(zlib.gzipSync(text([holder, real], false))));
    expect(result.findings.map((f) => f.event.id)).toEqual(["real"]);
    expect(result.records).toBe(2);
  });

  it("does not read the depth over a record it parses anyway, and still reads it over the others", async () => {
    // A record that parses is balanced: the depth after it is the depth before it. Read or not, the same cuts.
    const matching = Array.from({ length: 40 }, (_, i) => ({ ...MATCHING_RECORD, eventID: `m${i}` }));
    const noise = Array.from({ length: 40 }, (_, i) => ({ ...NOISE_RECORD, eventID: `n${i}` }));
    const forger = { ...MATCHING_RECORD, eventID: "holder", requestParameters: { tags: [{}, { ...MATCHING_RECORD }] } };
    const depthRead = jest.spyOn(JsonDepth.prototype, "advance");
    try {
      for (const gzip of [true, false]) {
        const records = [...noise, ...matching, forger];
        const bytes = Buffer.from(text(records, false));
        depthRead.mockClear();
        const result = await new SourceScanner(guardrail).scan("in", chunksOf(gzip ? zlib.gzipSync(bytes) : bytes));
        expect(result.findings.map((f) => f.event.id)).toEqual(expectedFindings(records));
        expect(result.records).toBe(records.length);
        const read = depthRead.mock.calls.reduce((n, [, from, to]) => n + to - from, 0);
        const noiseBytes = Buffer.byteLength(JSON.stringify(noise));
        const forgerBytes = Buffer.byteLength(JSON.stringify(forger));
        // Gzip: the noise is ruled out, so its depth is read (plain input parses every record but the first).
        if (gzip) expect(read).toBeGreaterThanOrEqual(noiseBytes);
        expect(read).toBeLessThan(
          (gzip ? noiseBytes : 0) + forgerBytes + 2 * Buffer.byteLength(JSON.stringify(noise[0])),
        );
      }
    } finally {
      depthRead.mockRestore();
    }
  });

  it("finds a record whose rule literal follows a nested array (its pieces were ruled out one by one)", async () => {
    const record = {
      eventVersion: "1.11",
      userIdentity: {
        type: "IAMUser",
        arn: "arn:aws:iam::111122223333:user/BedrockAPIKey-abcd",
        accountId: "111122223333",
      },
      eventTime: "2026-01-15T10:00:00Z",
      eventSource: "bedrock-mantle.amazonaws.com",
      eventName: "ListFineTuningJobs",
      awsRegion: "us-east-1",
      requestParameters: {
        filters: [{}, { eventVersion: "x" }],
        callWithBearerToken: true,
        bearerTokenType: "LONG_TERM",
      },
      eventID: "nested-0002",
      recipientAccountId: "111122223333",
    };
    expect(expectedFindings([record])).toEqual(["nested-0002"]);
    const result = await new SourceScanner(guardrail).scan("in", chunksOf(zlib.gzipSync(text([record], false))));
    expect(result.findings.map((f) => f.event.id)).toEqual(["nested-0002"]);
  });

  it("a record missing a bracket in a large input costs that record, not the megabytes after it", async () => {
    // Every record after the damage sits one level too deep for the depth, so each marker is passed; the
    // slice outgrows the cap (a file read whole: handed on, then cut at its markers) and, streamed, the
    // 4 MiB budget (cut at its markers as it goes: the record straddling that point is lost too).
    const noise = { ...NOISE_RECORD, requestParameters: { pad: "x".repeat(2000), items: [{ a: 1 }, { b: 2 }] } };
    const texts = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify(
        [1, 500, 2900].includes(i) ? { ...MATCHING_RECORD, eventID: `f${i}` } : { ...noise, eventID: `n${i}` },
      ),
    );
    texts[2] = texts[2].slice(0, -1); // its closing brace
    const text = `{"Records":[${texts.join(",")}]}`;
    expect(text.length).toBeGreaterThan(5 * 1024 * 1024);
    const scanner = new SourceScanner(guardrail, { maxRecordBytes: 8 * 1024 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nested-large-"));
    try {
      const file = path.join(dir, "damaged.json.gz");
      fs.writeFileSync(file, zlib.gzipSync(text));
      const whole = await scanner.scanFile(file);
      expect(whole.findings.map((f) => f.event.id)).toEqual(["f1", "f500", "f2900"]);
      expect(whole.records).toBe(3000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const streamed = await scanner.scan("-", chunksOf(Buffer.from(text), 64 * 1024));
    expect(streamed.findings.map((f) => f.event.id)).toEqual(["f1", "f500", "f2900"]);
    // The damaged record, and the one the budget cut in two (named as its two pieces).
    expect(streamed.skippedRecords).toBeLessThanOrEqual(3);
    expect(streamed.problemSamples[0]).toMatch(/^record 3 \(byte \d+\): not valid JSON/);
  });

  it("damage never makes an object nested in the damaged record a record of its own", async () => {
    const holder = (id: string) => ({
      ...NOISE_RECORD,
      eventID: id,
      requestParameters: {
        tags: [{}, { ...MATCHING_RECORD, eventID: `forged-${id}` }, { ...MATCHING_RECORD, eventID: "x" }],
      },
    });
    const whole = text([{ ...MATCHING_RECORD, eventID: "real" }, holder("h")], false);
    // Cut right after each nested object closes (a truncated download), or a bracket missing before them.
    const cuts = [whole.indexOf(',{"eventVersion":"1.08","userIdentity"', whole.indexOf("forged-h")), whole.length - 4];
    const inputs = [
      ...cuts.map((at) => whole.slice(0, at)),
      whole.replace('"tags":[{},', '"tags":[{{},'),
      text(
        [{ ...MATCHING_RECORD, eventID: "real" }, holder("h"), { ...MATCHING_RECORD, eventID: "after" }],
        false,
      ).replace('"tags":[{},', '"tags":{[{},'),
    ];
    for (const input of inputs)
      for (const gzip of [false, true]) {
        const r = await new SourceScanner(guardrail).scan("in", chunksOf(gzip ? zlib.gzipSync(input) : input));
        const ids = r.findings.map((f) => f.event.id);
        expect(ids.filter((id) => id.startsWith("forged") || id === "x")).toEqual([]);
        expect(ids[0]).toBe("real");
      }
  });

  it("objects nested after a lost or added quote are no records where the framer resynchronises", async () => {
    // The quote flips what the depth takes for strings: the nested record start is taken for one inside a string,
    // and the framer resynchronises there, inside the damaged record. From there the exact walker reads both
    // nested objects as whole values, then the brackets that close the record: not well nested, so neither is a
    // record. (The second one's first key is not eventVersion: no record start, it stays in the same slice.)
    const holder = {
      eventVersion: "1.08",
      note: "abc",
      ...NOISE_RECORD,
      eventID: "holder",
      requestParameters: {
        tags: [
          { ...MATCHING_RECORD, eventID: "forged-1" },
          { eventName: MATCHING_RECORD.eventName, ...MATCHING_RECORD, eventID: "forged-2" },
        ],
      },
    };
    const records = [{ ...MATCHING_RECORD, eventID: "real" }, holder, { ...MATCHING_RECORD, eventID: "after" }];
    const whole = text(records, false);
    const holderAt = whole.indexOf(JSON.stringify(holder));
    for (const damage of ['"abc', '"ab"c"']) {
      const input = whole.replace('"abc"', damage);
      const damagedBytes = JSON.stringify(holder).length - '"abc"'.length + damage.length;
      for (const gzip of [false, true]) {
        const r = await new SourceScanner(guardrail).scan("in", chunksOf(gzip ? zlib.gzipSync(input) : input, 997));
        expect(r.findings.map((f) => f.event.id)).toEqual(["real", "after"]);
        // The damaged record, named where it starts, is counted as the two pieces the framer cut it into.
        expect(r).toMatchObject({ records: 4, skippedRecords: 2, skippedBytes: damagedBytes, invalid: 0 });
        expect(r.problemSamples[0]).toMatch(new RegExp(`^record 2 \\(byte ${holderAt}\\): not valid JSON`));
      }
    }
  });

  it("two or three record-like objects nested after damage are none of them records", async () => {
    // After a lost or added quote the framer resynchronises at the first nested start (taken for one inside a
    // string) and takes the depth there for the records' depth: the second nested start then sits at that depth,
    // as the next record would. Brackets of the wrong kind, or too many and then one more opened, leave the depth
    // right at the first. Only what follows (the brackets that close the damaged record) shows they were nested.
    const afterTags = (insert: string) => (t: string) => t.replace(/"tags": ?\[/, (tags) => tags + insert);
    await expectNestedNoRecords({
      holder: (nestedCount) => ({
        eventVersion: "1.08",
        note: "abc",
        ...NOISE_RECORD,
        eventID: "holder",
        requestParameters: {
          tags: Array.from({ length: nestedCount }, (_, i) => ({ ...MATCHING_RECORD, eventID: `forged-${i + 1}` })),
        },
      }),
      holderAt: (whole) => whole.lastIndexOf("{", whole.indexOf('"note"')),
      damages: {
        "a quote lost": (t) => t.replace('"abc"', '"abc'),
        "a quote added": (t) => t.replace('"abc"', '"ab"c"'),
        "brackets of the wrong kind": afterTags("}}]"),
        "a bracket too many, then one opened": afterTags("}}}}[{},"),
      },
    });
  });

  it("record-like objects after one whose own first key is damaged are none of them records", async () => {
    // The damage breaks the first nested start's own key (no record start is left there) and still leaves the depth
    // at the records' depth, with `},` before the second: its slice was cut as the next record, and the third as the
    // one after it. Brackets of the wrong kind or of the right kind (`}]}`: no check of kinds sees it) in place of
    // the key's colon; or the key's closing quote lost, when the object holds a value a caller chose (`}]}\"`)
    // that, read with the strings flipped, closes it and flips them back.
    const payload = '}]}"';
    const firstKey = (t: string) => {
      const at = t.search(/"tags": ?\[\s*\{\s*"eventVersion"/);
      return t.indexOf('"eventVersion"', at) + '"eventVersion"'.length;
    };
    await expectNestedNoRecords({
      holder: (nestedCount) => ({
        ...NOISE_RECORD,
        eventID: "holder",
        requestParameters: {
          tags: Array.from({ length: nestedCount }, (_, i) => ({
            ...MATCHING_RECORD,
            eventID: `forged-${i + 1}`,
            z: payload,
          })),
        },
      }),
      // The holder's own start: the last record start before its tags.
      holderAt: (whole) => [...whole.slice(0, whole.indexOf('"tags"')).matchAll(/\{\s*"eventVersion"/g)].at(-1)?.index,
      damages: {
        "brackets of the wrong kind": (t) => `${t.slice(0, firstKey(t))}}}]${t.slice(firstKey(t)).replace(/^: ?/, "")}`,
        "brackets of the right kind": (t) => `${t.slice(0, firstKey(t))}}]}${t.slice(firstKey(t)).replace(/^: ?/, "")}`,
        "the key's closing quote lost": (t) => t.slice(0, firstKey(t) - 1) + t.slice(firstKey(t)),
      },
    });
  });

  it("a record damaged where the depth does not look costs that record only, a second one too", async () => {
    // A colon or a comma lost, a letter changed, a control character in a string: the record does not parse, but no
    // quote or bracket moved, so the record start after it is one. Were it taken for unproven, a second such record
    // later would break the chain that shows the records between them to be records (they would be lost).
    const damages: Record<string, (t: string) => string> = {
      "a colon lost": (t) => t.replace(/("eventName"):/, "$1"),
      "a comma lost": (t) => t.replace(/("eventName": ?"\w+"),/, "$1"),
      "a literal misspelt": (t) => t.replace(/("readOnly": ?)false/, "$1fals"),
      "a control character": (t) => t.replace('"us-east-1"', '"us-e\u0001ast-1"'),
    };
    for (const [damage, corrupt] of Object.entries(damages))
      for (const indent of [undefined, 2]) {
        const records = Array.from({ length: 10 }, (_, i) => ({ ...MATCHING_RECORD, eventID: `r${i}` }));
        const texts = records.map((r) => JSON.stringify(r, null, indent));
        for (const k of [2, 6]) texts[k] = corrupt(texts[k]);
        expect(texts[2]).not.toBe(JSON.stringify(records[2], null, indent));
        const input = indent ? `{\n  "Records": [\n${texts.join(",\n")}\n  ]\n}\n` : `{"Records":[${texts.join(",")}]}`;
        const r = await new SourceScanner(guardrail).scan("in", chunksOf(input, 997));
        const found = records.map((x) => x.eventID).filter((id) => id !== "r2" && id !== "r6");
        expect([damage, indent, r.findings.map((f) => f.event.id)]).toEqual([damage, indent, found]);
        expect(r).toMatchObject({ records: 10, skippedRecords: 2 });
      }
  });

  it("after a lost quote, a record over the cap where the scan resumed costs that record only", async () => {
    // The quote lost at the end of one record puts the next record's start inside what the depth takes for a
    // string: the framer resynchronises there, and that record is larger than the cap (dropped as it streams).
    const cap = 8 * 1024;
    const noise = (id: string) => ({ ...NOISE_RECORD, eventID: id });
    const big = { ...MATCHING_RECORD, eventID: "big", requestParameters: { pad: "p".repeat(2 * cap) } };
    const records = [
      ...Array.from({ length: 80 }, (_, i) => noise(`pad${i}`)),
      { ...MATCHING_RECORD, eventID: "real" },
      { ...noise("n1"), last: "zzz" },
      big,
      { ...MATCHING_RECORD, eventID: "after" },
      noise("n2"),
      { ...MATCHING_RECORD, eventID: "after-2" },
    ];
    for (const pretty of [false, true]) {
      const input = text(records, pretty).replace(pretty ? '"zzz"\n' : '"zzz"}', pretty ? '"zzz\n' : '"zzz}');
      for (const gzip of [false, true]) {
        const bytes = gzip ? zlib.gzipSync(input) : Buffer.from(input);
        const r = await new SourceScanner(guardrail, { maxRecordBytes: cap }).scan("in", chunksOf(bytes, 997));
        expect(r.findings.map((f) => f.event.id)).toEqual(["real", "after", "after-2"]);
        // The damaged record and the one over the cap (in a gzip the damaged one, which no rule can match, is not
        // parsed: its damage is not named).
        expect(r).toMatchObject({ records: records.length, skippedRecords: gzip ? 1 : 2, invalid: 0 });
        expect(r.problemSamples.at(-1)).toMatch(/^record 83 \(byte \d+\): larger than the 8192-byte record cap/);
      }
    }
  });

  it("a record within the cap is kept when the next record start is cut by a chunk boundary", async () => {
    // The slice gathers the first bytes of that start before they are moved to the next slice: with
    // them it is over the cap, without them it is not.
    const cap = 2048;
    // Past the 64 KiB the scan reads whole to choose the layout: the framer then gets these chunks.
    const noise = Array.from({ length: 100 }, (_, i) => ({ ...NOISE_RECORD, eventID: `n${i}` }));
    for (let delta = -3; delta <= 2; delta++) {
      const big = { ...MATCHING_RECORD, eventID: "big", requestParameters: { modelId: "m", pad: "" } };
      big.requestParameters.pad = "p".repeat(cap + delta - JSON.stringify(big).length - 1);
      const buf = Buffer.from(text([...noise, big, { ...NOISE_RECORD, eventID: "after" }], false));
      const start = buf.indexOf('{"eventVersion"', buf.indexOf('"n99"'));
      const next = buf.indexOf('{"eventVersion"', start + 1);
      for (const k of [0, 3, 8]) {
        async function* chunks(): AsyncGenerator<Buffer> {
          yield buf.subarray(0, start - 5);
          yield buf.subarray(start - 5, next + k);
          yield buf.subarray(next + k);
        }
        const result = await new SourceScanner(guardrail, { maxRecordBytes: cap }).scan("in", chunks());
        // The cap bounds the record, not the comma after it.
        const within = JSON.stringify(big).length <= cap;
        expect(result.findings.map((f) => f.event.id)).toEqual(within ? ["big"] : []);
        expect([result.records, result.skippedRecords]).toEqual([102, within ? 0 : 1]);
      }
    }
  });

  it("reads a concatenated delivery file that starts with a byte-order mark as the next file", async () => {
    const a = text([{ ...MATCHING_RECORD, eventID: "a" }], false);
    const b = `\uFEFF${text([{ ...MATCHING_RECORD, eventID: "b" }], false)}`;
    const result = await new SourceScanner(guardrail).scan("in", chunksOf(Buffer.from(a + b)));
    expect(result.findings.map((f) => f.event.id)).toEqual(["a", "b"]);
    expect(result.records).toBe(2);
    expect(result.skippedRecords).toBe(0);
  });
});
