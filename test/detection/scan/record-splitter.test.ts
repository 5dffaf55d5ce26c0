import fc from "fast-check";
import { MalformedJsonError, type RecordKind, RecordSplitter } from "../../../src/detection/scan/record-splitter";

interface Cut {
  text: string;
  kind: RecordKind;
  u: boolean;
}

/** Splits `input` fed in pieces cut at `cuts` (byte offsets). */
function split(input: string | Buffer, cuts: number[] = []): Cut[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const out: Cut[] = [];
  const s = new RecordSplitter((bytes, kind, u) => out.push({ text: bytes.toString("utf8"), kind, u }));
  let prev = 0;
  for (const c of [...new Set(cuts)].filter((c) => c > 0 && c < buf.length).sort((a, b) => a - b)) {
    s.push(buf.subarray(prev, c));
    prev = c;
  }
  s.push(buf.subarray(prev));
  s.end();
  return out;
}

const texts = (input: string, cuts?: number[]): string[] => split(input, cuts).map((c) => c.text);

describe("RecordSplitter", () => {
  it("cuts an S3 delivery file into its records", () => {
    expect(texts('{"Records":[{"a":1},{"b":{"c":[1,2]}}]}')).toEqual(['{"a":1}', '{"b":{"c":[1,2]}}']);
  });

  it("finds Records whatever the key order and whatever precedes it", () => {
    expect(texts('{"x":{"Records":[{"no":1}]},"y":"Records","Records":[{"a":1}],"z":[{"no":2}]}')).toEqual(['{"a":1}']);
  });

  it(
    "treats a top-level object without Records as one record, and concatenated objects (NDJSON, pretty) as " +
      "several",
    () => {
      expect(texts('{"eventID":"1"}\n{"eventID":"2"}\r\n')).toEqual(['{"eventID":"1"}', '{"eventID":"2"}']);
      expect(texts('{\n  "eventID": "1",\n  "x": [ {"Records": []} ]\n}\n{"eventID":"2"}')).toHaveLength(2);
    },
  );

  it("accepts a bare array of records and a byte-order mark", () => {
    expect(texts('\ufeff[ {"a":1} , {"b":2} ]')).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("is not fooled by brackets, quotes and backslashes inside strings", () => {
    const rec = '{"k":"}]{[\\"\\\\","m":"\\\\"}';
    expect(texts(`{"Records":[${rec},{"z":"]"}]}`)).toEqual([rec, '{"z":"]"}']);
  });

  it("reports non-object elements as 'other'", () => {
    expect(split('{"Records":[1,"s",null,[{"a":1}],{"ok":true}]}').map((c) => [c.text, c.kind])).toEqual([
      ["1", "other"],
      ['"s"', "other"],
      ["null", "other"],
      ['[{"a":1}]', "other"],
      ['{"ok":true}', "object"],
    ]);
  });

  it("flags records that contain a \\u escape (the pre-filter must then parse them)", () => {
    expect(split('{"Records":[{"a":"x"},{"s":"bedrock\\u002eamazonaws.com"},{"b":"\\n"}]}').map((c) => c.u)).toEqual([
      false,
      true,
      false,
    ]);
  });

  it.each([
    ['{"Records":[{"a":1}', /unclosed/],
    ['{"Records":[{"a":"x', /unterminated string/],
    ['{"Records":[{"a":1]]}', /unexpected '\]'/],
    ["hello", /not JSON/],
    ['"just a string"', /not a CloudTrail record/],
    ['{"a":1}, {"b":2}', /between values/],
    ["}", /unexpected '\}'/],
  ])("rejects malformed input %j", (input, message) => {
    expect(() => split(input)).toThrow(MalformedJsonError);
    expect(() => split(input)).toThrow(message);
  });

  it("emits the records read before a structural error", () => {
    const out: string[] = [];
    const s = new RecordSplitter((b) => out.push(b.toString()));
    expect(() => s.push(Buffer.from('{"Records":[{"a":1},{"b":]}'))).toThrow(MalformedJsonError);
    expect(out).toEqual(['{"a":1}']);
  });

  it("gives the same records however the input is cut into chunks (property)", () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const record = fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), value, { maxKeys: 5 });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 6 }),
        fc.array(fc.nat(400), { maxLength: 12 }),
        fc.boolean(),
        (records, cuts, ndjson) => {
          const input = ndjson
            ? records.map((r) => JSON.stringify(r)).join("\n")
            : JSON.stringify({ Records: records }, null, cuts.length % 2 ? 2 : undefined);
          const whole = split(input);
          expect(whole.map((c) => JSON.parse(c.text))).toEqual(records.map((r) => JSON.parse(JSON.stringify(r))));
          expect(split(input, cuts)).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splits correctly with a chunk boundary at every byte", () => {
    const input = '{"Records":[{"a":"q\\"\\\\u","b":[1,{"c":"\\u00e9"}]},{"d":null}]}';
    const whole = split(input);
    for (let i = 1; i < input.length; i++) expect(split(input, [i])).toEqual(whole);
  });
});
