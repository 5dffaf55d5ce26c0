/**
 * What "blank" means for errorCode, spelled out so that every backend can say it. The reference
 * matcher (`isSuccess` in ../match.ts) calls a code blank when `code.trim() === ""`; these are
 * exactly the characters ECMAScript's String.prototype.trim removes (WhiteSpace and
 * LineTerminator). test/detection/backends/blank.test.ts checks the list against `trim()` for
 * every UTF-16 code unit, so the two cannot drift apart.
 */
export const BLANK_CODE_POINTS: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
  0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];

export const BLANK_CHARACTERS: string = String.fromCodePoint(...BLANK_CODE_POINTS);
