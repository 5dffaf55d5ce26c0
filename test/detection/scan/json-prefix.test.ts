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

  it("agrees with JSON.parse on which texts are valid (property)", () => {
    const tricky = fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789.-eE\\ntrufalsu a') });
    fc.assert(
      fc.property(
        fc.oneof(
          tricky,
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          let valid = true;
          try {
            JSON.parse(text);
          } catch {
            valid = false;
          }
          // Valid text is all valid; invalid text is either cut off (all valid so far) or refused somewhere.
          if (valid) expect(at(text)).toBe(Buffer.byteLength(text));
          if (!valid && text.trim() !== "" && at(text) === Buffer.byteLength(text)) {
            // Then some continuation must exist: closing what is open makes it parse, or it ends inside a
            // string, a number, a literal or before a value.
            expect(/["\-\d.eEtrufalsn:,[{\s]$|\\$/.test(text)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
