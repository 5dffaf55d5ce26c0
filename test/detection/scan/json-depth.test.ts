import fc from "fast-check";
import { JsonDepth } from "../../../src/detection/scan/json-depth";

/** The depth and string state before each byte, walked one byte at a time (the reference). */
function reference(text: Buffer): { depth: number; inString: boolean }[] {
  const out: { depth: number; inString: boolean }[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const c of text) {
    out.push({ depth, inString });
    if (inString) {
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  out.push({ depth, inString });
  return out;
}

/** JSON whose strings are full of what a naive reader trips on: quotes, backslash runs, brackets. */
const trickyString = fc.string({ unit: fc.constantFrom('"', "\\", "{", "}", "[", "]", "a", ":", ",", "é") });
const json = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      trickyString,
      fc.integer(),
      fc.constantFrom(true, false, null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(trickyString, tie("value"), { maxKeys: 4 }),
    ),
  }))
  .value.chain((v) => fc.constantFrom(undefined, 1).map((indent) => Buffer.from(JSON.stringify(v, null, indent))));

describe("JsonDepth: where the bytes are in the JSON structure", () => {
  it("agrees with a byte-at-a-time walker at every offset, however the input is cut into reads (property)", () => {
    fc.assert(
      fc.property(json, fc.array(fc.nat(), { maxLength: 12 }), (text, cuts) => {
        const expected = reference(text);
        // Read in pieces ending at the cuts; after each piece the state is the reference's at that offset.
        const ends = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const tracker = new JsonDepth();
        let at = 0;
        for (const end of [...ends, text.length]) {
          tracker.advance(text, at, end);
          at = end;
          expect({ depth: tracker.depth, inString: tracker.inString }).toEqual(expected[end]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("carries a run of backslashes across reads: an odd run escapes the quote that starts the next read", () => {
    const text = Buffer.from('["a\\\\\\"b", 1]'); // the string a\\\"b: three backslashes, the last escapes "
    for (let cut = 0; cut <= text.length; cut++) {
      const tracker = new JsonDepth();
      tracker.advance(text, 0, cut);
      tracker.advance(text, cut, text.length);
      expect({ depth: tracker.depth, inString: tracker.inString }).toEqual({ depth: 0, inString: false });
    }
  });
});
