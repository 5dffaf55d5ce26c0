import { recoverPieces } from "../../../src/detection/scan/damage-recovery";

const RECORD_START = '{"eventVersion":';

/** The pieces of a damaged delivery file's records, as text: the slice runs from the first record to the end. */
function recover(file: string, options: { unproven?: boolean } = {}): { pieces: string[]; taken: string[] } {
  const buf = Buffer.from(file);
  const from = file.indexOf(RECORD_START);
  const markers: number[] = [];
  for (let m = file.indexOf(RECORD_START, from + 1); m !== -1; m = file.indexOf(RECORD_START, m + 1)) markers.push(m);
  const { pieces, taken } = recoverPieces(buf, from, buf.length, markers, false, options.unproven ?? false, false);
  const text = (start: number, k: number): string => file.slice(start, pieces[k + 1] ?? file.length);
  return {
    pieces: pieces.map(text),
    taken: pieces.map((start, k) => (taken.has(start) ? text(start, k) : undefined)).filter((t) => t !== undefined),
  };
}

describe("recoverPieces: where a slice that is not one valid record is cut", () => {
  it("takes the record after one that lost its closing bracket (it sits a level too deep, never closed over)", () => {
    const file = '{"Records":[{"eventVersion":"1","a":{"b":1},{"eventVersion":"2","c":3}]}';
    expect(recover(file)).toEqual({
      pieces: ['{"eventVersion":"1","a":{"b":1},', '{"eventVersion":"2","c":3}]}'],
      // The damaged record is a piece of its own, not taken: it is not valid JSON.
      taken: ['{"eventVersion":"2","c":3}]}'],
    });
  });

  it("never takes an object nested in the damaged record, which a bracket after it closes over", () => {
    const file = '{"Records":[{"eventVersion":"1","bad":x,"tags":[{"eventVersion":"n"}]}]}';
    expect(recover(file).pieces).toEqual(['{"eventVersion":"1","bad":x,"tags":[{"eventVersion":"n"}]}]}']);
  });

  it("keeps objects nested before the damage in their record: up to it the depth is exact", () => {
    // Cut off after the record (its envelope's end lost): the nested objects end as records would, but the
    // slice is valid JSON up to its end, so they are nested.
    const file = '{"Records":[{"eventVersion":"1","tags":[{"eventVersion":"n"},{"eventVersion":"m"}]}';
    expect(recover(file)).toEqual({ pieces: [file.slice(12)], taken: [file.slice(12)] });
  });

  it("unproven, takes its own start only as the others: when the chain of valid records reaches the end", () => {
    const valid = '{"Records":[{"eventVersion":"1"},{"eventVersion":"2"}]}';
    expect(recover(valid, { unproven: true }).taken).toEqual(['{"eventVersion":"1"},', '{"eventVersion":"2"}]}']);
    const broken = '{"Records":[{"eventVersion":"1"},{"eventVersion":"2"]}';
    expect(recover(broken, { unproven: true }).taken).toEqual([]);
  });
});
