/**
 * Record streams in the shapes people hand to `detect` besides CloudTrail's delivery files: a bare JSON array
 * (`jq -s`), and NDJSON with long runs of whitespace between records (past the 256 bytes the layout is sniffed
 * from), in a file and on stdin. Each is read whole: every record's finding, nothing skipped.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type DetectIO, runDetect } from "../../../src/cli/commands/detect";
import { EXAMPLES } from "./helpers";

/** Three example records that each make a finding, in order. */
const RECORDS = [
  "panther_DeleteGuardrail.json",
  "panther_UpdateGuardrail.json",
  "stratus__CreateFoundationModelAgreement.json",
].map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES, f), "utf8")) as { eventID: string });
const IDS = RECORDS.map((r) => r.eventID);
const [a, b, c] = RECORDS.map((r) => JSON.stringify(r));

let tmp: string;
let config: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ndjson-shapes-"));
  config = path.join(tmp, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify({ approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"] }));
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
