import { BLANK_CHARACTERS, BLANK_CODE_POINTS } from "../../../src/detection/backends/blank";
import { isSuccess } from "../../../src/detection/match";

describe("BLANK_CHARACTERS", () => {
  it("is exactly what String.prototype.trim removes, for every UTF-16 code unit", () => {
    const trimmed: number[] = [];
    for (let cu = 0; cu <= 0xffff; cu++) if (String.fromCharCode(cu).trim() === "") trimmed.push(cu);
    expect(trimmed).toEqual([...BLANK_CODE_POINTS]);
    expect(Array.from(BLANK_CHARACTERS)).toHaveLength(BLANK_CODE_POINTS.length);
  });

  it("agrees with the reference matcher's notion of a blank errorCode", () => {
    for (const ch of BLANK_CHARACTERS) expect(isSuccess({ errorCode: `${ch}${ch}` })).toBe(true);
    expect(isSuccess({ errorCode: "\u0085" })).toBe(false); // NEL is not ECMAScript whitespace
    expect(isSuccess({ errorCode: "\u200b" })).toBe(false); // zero-width space neither
  });
});
