import { detectLayout } from "../../../src/detection/scan/record-layout";

const layoutOf = (text: string): string => detectLayout(Buffer.from(text));
const record = (n: number): string => JSON.stringify({ eventVersion: "1.08", eventID: `e${n}`, eventName: "X" });

describe("detectLayout: which framer reads an input, from its first bytes", () => {
  it("reads a compact delivery file as records, a pretty-printed one as pretty", () => {
    const file = { Records: [JSON.parse(record(1)), JSON.parse(record(2))] };
    expect(layoutOf(JSON.stringify(file))).toBe("records");
    expect(layoutOf(JSON.stringify(file, null, 2))).toBe("pretty");
  });

  it("reads one object per line as lines, even when the first line is damaged", () => {
    expect(layoutOf(`${record(1)}\n${record(2)}\n`)).toBe("lines");
    expect(layoutOf(`garbage\n${record(2)}\n${record(3)}\n`)).toBe("lines");
  });

  it("takes a file with one pretty record start among compact ones for pretty (every start counts)", () => {
    const pretty = JSON.stringify(JSON.parse(record(2)), null, 2);
    expect(layoutOf(`{"Records":[${record(1)},${pretty},${record(3)}]}`)).toBe("pretty");
  });

  it("leaves a bare array, and records whose first key is not eventVersion, to the exact walker", () => {
    expect(layoutOf(`[${record(1)},${record(2)}]`)).toBe("generic");
    expect(layoutOf(`[${record(1)}]\n${record(2)}\n`)).toBe("generic");
    expect(layoutOf(JSON.stringify({ Records: [{ eventID: "e1", eventVersion: "1.08" }] }))).toBe("generic");
  });
});
