/**
 * What `detect` loads: the built CLI over the bundled sample archive, with a hook that lists every module required.
 * The action classification (its JSON, parsed and checked with zod) is the SCP's, not detection's: loading it cost
 * detect about 35 ms per run on this machine, a few percent of a whole archive's scan.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

test("detect loads no action classification", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "detect-modules-"));
  try {
    const hook = path.join(dir, "hook.js");
    const listing = path.join(dir, "modules.txt");
    fs.writeFileSync(
      hook,
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(listing)}, ` +
        `Object.keys(require.cache).join("\\n")));`,
    );
    const cli = path.join(ROOT, "dist", "src", "cli", "index.js");
    const run = spawnSync(process.execPath, ["-r", hook, cli, "detect", "--jobs", "1", "examples/cloudtrail"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    const modules = fs.readFileSync(listing, "utf8").split("\n");
    // The run did load detection and the guardrail: the listing is the real one.
    expect(modules.some((m) => m.endsWith(path.join("detection", "match.js")))).toBe(true);
    expect(modules.filter((m) => /classification|action-lists/.test(path.basename(m)))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
