/**
 * `preview`'s options that belong to one of its two sources: the archive's window and filters (--start, --accounts
 * ...) only with --backend athena, the scanner's (--jobs, --max-record-bytes) only with PATHs. Given with the other
 * source they would change nothing, so they are refused (exit 2) before anything is read.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type PreviewOptions, runPreview } from "../../src/cli/commands/preview";

let tmp: string;
let trail: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-options-"));
  fs.writeFileSync(path.join(tmp, "guardrail.config.json"), JSON.stringify({ approvedPrincipalArns: [] }));
  trail = path.join(tmp, "trail.json");
  fs.writeFileSync(trail, JSON.stringify({ Records: [] }));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function preview(paths: string[], opts: PreviewOptions) {
  let out = "";
  let err = "";
  const code = await runPreview(paths, opts, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    cwd: tmp,
    env: {},
  });
  return { code, out, err };
}

describe("preview's options of the other source", () => {
  it("refuses a window or filter with PATHs, naming each option, instead of reading every record", async () => {
    const run = await preview([trail], { start: "2026-09-01T00:00:00Z", accounts: "111122223333", format: "json" });
    expect(run).toEqual({
      code: 2,
      out: "",
      err:
        "preview: --start, --accounts: only with --backend athena; PATHs are read whole " +
        "(to preview a window or some accounts, give only their files)\n",
    });
  });

  it("refuses the scanner's options with --backend athena", async () => {
    const run = await preview([], { backend: "athena", start: "2026-09-01T00:00:00Z", jobs: 2 });
    expect(run).toEqual({
      code: 2,
      out: "",
      err: "preview: --jobs: only with PATHs (--backend athena runs in Athena)\n",
    });
  });

  it("still reads PATHs given with the options that apply to them", async () => {
    const run = await preview([trail], { jobs: 1, maxRecordBytes: 4096, format: "json" });
    expect(run.err).not.toMatch(/only with/);
    expect(JSON.parse(run.out).counts.evaluated).toBe(0);
  });
});
