/**
 * Record streams in the shapes people hand to `detect` besides CloudTrail's delivery files: a bare JSON array
 * (`jq -s`), NDJSON with long runs of whitespace between records (past the 256 bytes the layout is sniffed
 * from), and NDJSON mixed with pretty-printed records (`cat a.ndjson b.json`), in a file and on stdin. Each is read
 * whole: every record's finding, nothing skipped; a line cut short costs that line only, named by its line number.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DetectIO, runDetect } from "../../../src/cli/commands/detect";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, EXAMPLES, testGuardrail } from "./helpers";
import { MINIMAL_CONFIG } from "../../support/fixtures";

/** Three example records that each make a finding, in order. */
const RECORDS = [
  "panther_DeleteGuardrail.json",
  "panther_UpdateGuardrail.json",
  "stratus__CreateFoundationModelAgreement.json",
].map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), "utf8")) as { eventID: string });
const IDS = RECORDS.map((r) => r.eventID);
const [a, b, c] = RECORDS.map((r) => JSON.stringify(r));
const [prettyA, prettyB] = RECORDS.map((r) => JSON.stringify(r, null, 2));
const linesOf = (text: string) => text.split("\n").length;

let tmp: string;
let config: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ndjson-shapes-"));
  config = path.join(tmp, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(MINIMAL_CONFIG));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The event ids of detect's findings for `text` as a file named `name` (or on stdin), and its stderr. */
async function findings(name: string, text: string, via: "file" | "stdin" = "file") {
  let out = "";
  let err = "";
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  const io: DetectIO = {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    cwd: tmp,
    env: {},
    ...(via === "stdin"
      ? {
          stdin: (async function* () {
            yield Buffer.from(text);
          })(),
        }
      : {}),
  };
  const code = await runDetect([via === "stdin" ? "-" : file], { config, format: "ndjson" }, io);
  const ids = out
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { event: { id: string } }).event.id);
  return { code, ids, err };
}

describe("detect reads record streams of other shapes whole", () => {
  it.each([
    ["compact", `${JSON.stringify(RECORDS)}\n`],
    ["pretty-printed", `${JSON.stringify(RECORDS, null, 2)}\n`],
  ])("a bare JSON array (%s)", async (_, text) => {
    const { ids, err } = await findings("array.json", text);
    expect(ids).toEqual(IDS);
    expect(err).not.toMatch(/skipped|unreadable: [1-9]/);
  });

  it.each([
    ["a line of 300 spaces", `${a}\n${" ".repeat(300)}\n${b}\n${c}\n`],
    ["300 empty lines", `${a}\n${b}\n${"\n".repeat(300)}${c}\n`],
    ["1,000 tabs on the line", `${a}${"\t".repeat(1000)}${b}\n${c}\n`],
    ["300 spaces before the first record", `${" ".repeat(300)}\n${a}\n${b}\n${c}\n`],
  ])("NDJSON with more than 256 bytes of whitespace between records: %s", async (_, text) => {
    for (const via of ["file", "stdin"] as const) {
      const { ids, err } = await findings("spaced.ndjson", text, via);
      expect({ via, ids }).toEqual({ via, ids: IDS });
      expect(err).not.toMatch(/skipped/);
    }
  });
});

describe("NDJSON mixed with pretty-printed records", () => {
  it.each([
    ["a pretty record between two lines", `${a}\n${prettyB}\n${c}\n`],
    ["a pretty record first (cat pretty.json lines.ndjson)", `${prettyA}\n${b}\n${c}\n`],
    ["two pretty records after a line", `${a}\n${prettyB}\n${JSON.stringify(RECORDS[2], null, 4)}\n`],
  ])("%s: every record read whole", async (_, text) => {
    for (const via of ["file", "stdin"] as const) {
      const { ids, err } = await findings("mixed.ndjson", text, via);
      expect({ via, ids }).toEqual({ via, ids: IDS });
      expect(err).not.toMatch(/skipped|invalid record\(s\), [1-9]/);
    }
  });

  it("a line cut short after a pretty record costs that line only, named by its own line number", async () => {
    const { ids, err } = await findings("cut.ndjson", `${prettyA}\n${b.slice(0, 100)}\n${c}\n`);
    expect(ids).toEqual([IDS[0], IDS[2]]);
    expect(err).toContain(`1 record(s) skipped (100 bytes): line ${linesOf(prettyA) + 1} (byte ${prettyA.length + 1})`);
  });

  it("a line cut short does not hold the lines after it, however many: each is read as it comes", async () => {
    // Cut where the record's object is open but no string is (a newline inside a string ends a line anyway). With
    // a small record cap, a slice that went on past the cut line would be dropped with every record in it.
    const cut = b.slice(0, b.indexOf(',"userIdentity"') + 1);
    const cap = 4096;
    const numbered = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => c.replace(IDS[2], `${prefix}-${i}`)).join("\n");
    // Past the 64 KiB the scan reads whole to choose the layout, so that the framer gets the chunks after it.
    const before = `${numbered("before", 60)}\n`;
    const text = `${before}${cut}\n${numbered("after", 200)}\n`;
    const scanner = new SourceScanner(testGuardrail(), { maxRecordBytes: cap });
    // Whole, and streamed with a chunk boundary right after the cut line's newline (the next chunk's `{` decides).
    for (const size of [text.length, before.length + cut.length + 1, 997]) {
      const r = await scanner.scan("-", chunksOf(Buffer.from(text), size));
      expect({ size, found: r.findings.length, skipped: r.skippedRecords }).toEqual({ size, found: 260, skipped: 1 });
      expect(r.problemSamples).toEqual([expect.stringMatching(/^line 61 \(byte \d+\): not valid JSON/)]);
    }
  });

  it("streamed in chunks of any size, a cut line and a pretty record are framed the same", async () => {
    // Past the 64 KiB the scan reads whole to choose the layout, so the framer gets the chunks; each chunk size
    // puts some chunk boundary right after the newline of the cut line, where the next byte decides.
    const block = `${a}\n${b.slice(0, 100)}\n${prettyB}\n${c}\n`;
    const text = block.repeat(Math.ceil((70 * 1024) / block.length));
    const copies = Math.ceil((70 * 1024) / block.length);
    const scanner = new SourceScanner(testGuardrail());
    const whole = await scanner.scan("-", chunksOf(Buffer.from(text), text.length));
    for (const size of [1, 7, 100, 101, 997, 4096, a.length + 1, a.length + 101]) {
      const streamed = await scanner.scan("-", chunksOf(Buffer.from(text), size));
      expect({ size, skipped: streamed.skippedRecords, records: streamed.records }).toEqual({
        size,
        skipped: copies,
        records: 4 * copies,
      });
      expect(streamed.findings.map((f) => f.event.id)).toEqual(whole.findings.map((f) => f.event.id));
      expect(streamed.problemSamples[0]).toBe(whole.problemSamples[0]);
    }
    expect(whole.problemSamples[0]).toMatch(/^line 2 \(byte \d+\): not valid JSON/);
  });
});

describe("a bare array of records, alone or among NDJSON lines, and a delivery file after NDJSON lines", () => {
  // CloudTrail's key order (eventVersion first, as `jq '.Records'` keeps it): the record markers are found in them.
  const ordered = (id: string, k: number) => {
    const { eventVersion, ...rest } = RECORDS[k] as { eventVersion: string; eventID: string };
    return { eventVersion, ...rest, eventID: id };
  };
  const records = (prefix: string) => [0, 1, 2].map((k) => ordered(`${prefix}-${k}`, k));
  const ids = (prefix: string) => [0, 1, 2].map((k) => `${prefix}-${k}`);
  const lines = (prefix: string, n = 1) =>
    Array.from({ length: n }, (_, i) =>
      records(`${prefix}${i}`)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(""),
    ).join("");
  const lineIds = (prefix: string, n = 1) => Array.from({ length: n }, (_, i) => ids(`${prefix}${i}`)).flat();
  const shapes: Record<string, (rs: object[]) => string> = {
    "a compact array": (rs) => `${JSON.stringify(rs)}\n`,
    "a compact array without a newline at its end": (rs) => JSON.stringify(rs),
    "a pretty array": (rs) => `${JSON.stringify(rs, null, 2)}\n`,
    "a compact delivery file": (rs) => `${JSON.stringify({ Records: rs })}\n`,
    "a pretty delivery file": (rs) => `${JSON.stringify({ Records: rs }, null, 2)}\n`,
  };

  it.each(Object.keys(shapes).filter((s) => s.includes("array")))("%s alone, then NDJSON lines", async (shape) => {
    for (const via of ["file", "stdin"] as const) {
      const alone = await findings("array.json", shapes[shape](records("x")), via);
      expect({ via, ids: alone.ids, err: alone.err }).toEqual({ via, ids: ids("x"), err: expect.any(String) });
      expect(alone.err).not.toMatch(/skipped|invalid record\(s\), [1-9]|not CloudTrail/);
      const text = `${shapes[shape](records("x"))}\n${lines("l")}`;
      const mixed = await findings("array-then-lines.json", text, via);
      expect({ via, ids: mixed.ids }).toEqual({ via, ids: [...ids("x"), ...lineIds("l")] });
      expect(mixed.err).not.toMatch(/skipped|invalid record\(s\), [1-9]|not CloudTrail/);
    }
  });

  it.each(Object.keys(shapes))("%s after NDJSON lines (cat lines.ndjson file.json lines.ndjson)", async (shape) => {
    const text = `${lines("a")}${shapes[shape](records("x"))}${shape.includes("without") ? "\n" : ""}${lines("b")}`;
    for (const via of ["file", "stdin"] as const) {
      const { ids: found, err } = await findings("mixed.ndjson", text, via);
      expect({ via, found }).toEqual({ via, found: [...lineIds("a"), ...ids("x"), ...lineIds("b")] });
      expect(err).not.toMatch(/skipped|invalid record\(s\), [1-9]|not CloudTrail/);
    }
    // Past the 64 KiB the layout is chosen from (NDJSON there), streamed in chunks, the file's records too.
    const long = `${lines("a", 25)}${shapes[shape](records("x"))}\n${lines("b", 2)}`;
    expect(long.indexOf("[")).toBeGreaterThan(64 * 1024);
    for (const size of [997, 64 * 1024]) {
      const r = await new SourceScanner(testGuardrail()).scan("-", chunksOf(Buffer.from(long), size));
      expect({ size, found: r.findings.map((f) => f.event.id) }).toEqual({
        size,
        found: [...lineIds("a", 25), ...ids("x"), ...lineIds("b", 2)],
      });
      expect({ size, skipped: r.skippedRecords, invalid: r.invalid, other: r.notCloudTrail }).toEqual({
        size,
        skipped: 0,
        invalid: 0,
        other: 0,
      });
    }
  });

  it("damage in an array among the lines costs what follows it in that array only, named by its line", async () => {
    const array = JSON.stringify(records("x"));
    const cut = array.slice(0, array.indexOf('{"eventVersion"', 10) + 40); // into its second record
    const text = `${lines("a")}${cut}\n${lines("b")}`;
    const r = await new SourceScanner(testGuardrail()).scan("-", chunksOf(Buffer.from(text), 997));
    expect(r.findings.map((f) => f.event.id)).toEqual([...lineIds("a"), "x-0", ...lineIds("b")]);
    expect(r.skippedRecords).toBe(1);
    expect(r.problemSamples[0]).toMatch(/^line 4 \(byte \d+\): malformed JSON: truncated/);
    // A line cut short inside the key that names a delivery file's records is a line cut short.
    const short = await new SourceScanner(testGuardrail()).scan("-", chunksOf(`${lines("a")}{"Rec\n${lines("b")}`));
    expect(short.findings.map((f) => f.event.id)).toEqual([...lineIds("a"), ...lineIds("b")]);
    expect(short.problemSamples).toEqual([expect.stringMatching(/^line 4 \(byte \d+\): not valid JSON/)]);
  });
});
