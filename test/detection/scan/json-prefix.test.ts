import fc from "fast-check";
import { firstInvalidByte } from "../../../src/detection/scan/json-prefix";

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
