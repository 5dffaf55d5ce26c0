import fc from "fast-check";
import { firstInvalidByte, hasObjectSkeleton } from "../../../src/detection/scan/json-prefix";

const at = (text: string): number => firstInvalidByte(Buffer.from(text), 0, Buffer.byteLength(text));

describe("firstInvalidByte: where bytes stop being the start of one JSON value", () => {
  it("is the end for every valid value and every prefix of one (cut off, not damaged) (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), fc.nat(), (value, indent, cut) => {
        const text = JSON.stringify(value, null, indent);
        expect(at(text)).toBe(Buffer.byteLength(text));
        const prefix = Buffer.from(text).subarray(0, cut % (Buffer.byteLength(text) + 1));
        expect(firstInvalidByte(prefix, 0, prefix.length)).toBe(prefix.length);
      }),
      { numRuns: 500 },
    );
  });

  it("names the first byte JSON.parse refuses, whatever V8's message says", () => {
    expect(at('{"a":1,{"b":2}')).toBe(7); // an object where a key belongs
    expect(at('{"a":1}]}')).toBe(7); // a second value: a closing bracket it never opened
    expect(at('{"a":1},{"b":2}')).toBe(7); // a second value
    expect(at('{"a":,"b":2}')).toBe(5); // a missing value
    expect(at('{"a" 1}')).toBe(5); // a missing colon
    expect(at('{"a":tru}')).toBe(5); // a literal misspelt
    expect(at('{"a":01}')).toBe(5); // a number JSON does not allow
    expect(at('{"a":"x\\q"}')).toBe(7); // an escape JSON does not have
    expect(at('{"a":"x\ny"}')).toBe(7); // a raw control character in a string
    expect(at('[{"a":1]')).toBe(7); // a bracket of the other kind
  });

  it("never refuses a text JSON.parse accepts, and refuses a whole value a byte more spoils (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom("}", "]", ",", ":", "x"), (value, k, garbage) => {
        const text = JSON.stringify(value);
        expect(at(text)).toBe(text.length);
        // A delimiter or a letter inserted into a whole value that leaves no valid JSON: refused somewhere
        // (a whole value with a byte more is never a text cut off).
        const pos = k % (text.length + 1);
        const changed = text.slice(0, pos) + garbage + text.slice(pos);
        let valid = true;
        try {
          JSON.parse(changed);
        } catch {
          valid = false;
        }
        if (valid) expect(at(changed)).toBe(changed.length);
        else expect(at(changed)).toBeLessThan(changed.length);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("hasObjectSkeleton: whether damage left what the depth reads as it was written", () => {
  const skeleton = (text: string): boolean => hasObjectSkeleton(Buffer.from(text), 0, Buffer.byteLength(text));

  it("holds for every object, compact or pretty, and after a colon or a comma is lost (property)", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.constantFrom(undefined, 2),
        fc.nat(),
        (value, indent, k) => {
          const text = JSON.stringify(value, null, indent);
          expect(skeleton(text)).toBe(true);
          // A colon or a comma outside the strings, lost (found by a walk that knows where the strings are).
          const delimiters: number[] = [];
          let inString = false;
          for (let i = 0; i < text.length; i++) {
            if (inString) {
              if (text[i] === "\\") i++;
              else if (text[i] === '"') inString = false;
            } else if (text[i] === '"') inString = true;
            else if (text[i] === ":" || text[i] === ",") delimiters.push(i);
          }
          if (delimiters.length === 0) return;
          const at = delimiters[k % delimiters.length];
          expect(skeleton(text.slice(0, at) + text.slice(at + 1))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("holds when only a string's content or a literal's spelling is damaged", () => {
    for (const text of ['{"a":fals}', '{"a":1x}', '{"a":"\u0001"}', '{"a":"x\\q"}', '{"a""b"}', '{"a":1 "b":2}'])
      expect([text, skeleton(text)]).toEqual([text, true]);
  });

  it("fails when a bracket or a quote moved, or the bytes are no single object", () => {
    for (const text of [
      '{"a":[}}]', // brackets of the other kind
      '{"eventVersion"}]}"1.08"}', // a key without a value: brackets written in place of its colon
      '{"a":\\"x"}', // a backslash outside a string: a quote lost before it, or one the caller escaped
      '{"a":"x}', // a string cut off
      '{"a":1', // an object cut off
      '{"a":1}]', // a bracket it never opened
      '{"a":1} 42', // a value after the object
      "{1:2}", // a key that is no string
      '{"a":1,"b"}', // a key without a value
      "[1]", // no object
    ])
      expect([text, skeleton(text)]).toEqual([text, false]);
  });
});
