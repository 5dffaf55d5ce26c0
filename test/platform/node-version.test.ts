/**
 * The project runs on the Node its package.json requires (engines), not on whatever `node` the
 * machine has: `npm test` puts node_modules/.bin first on PATH, where the `node` devDependency (a
 * Node binary from the npm registry) answers, so jest, its workers and every `#!/usr/bin/env node`
 * script the tests start run on it. On a machine with an older system Node this fails if the `node`
 * devDependency stops being the one found.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const pkg = require(path.join(ROOT, "package.json")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/** ">=22.19.0" -> [22, 19, 0]: the only form engines uses here. */
function minimum(range: string): number[] {
  const m = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) throw new Error(`package.json engines.node is not ">=X.Y.Z": ${range}`);
  return m.slice(1).map(Number);
}

function satisfies(version: string, min: number[]): boolean {
  const v = version.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
}

describe("Node version", () => {
  const min = minimum(pkg.engines.node);

  it("the pinned node devDependency satisfies engines", () => {
    expect(satisfies(pkg.devDependencies.node, min)).toBe(true);
  });

  it("jest's worker runs on a supported Node", () => {
    process.stdout.write(`jest worker: node ${process.version}\n`);
    expect(satisfies(process.version, min)).toBe(true);
  });

  it("`node` on PATH (what #!/usr/bin/env node scripts run on) is a supported Node", () => {
    const version = execFileSync("node", ["-p", "process.version"], { encoding: "utf8" }).trim();
    expect(satisfies(version, min)).toBe(true);
  });

  it("the CLI's bin, started through its #!/usr/bin/env node line, runs on a supported Node", () => {
    const bin = path.join(ROOT, "bin", "bedrock-guardrail.js");
    const version = execFileSync(bin, ["--version"], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: `--require ${path.join(__dirname, "print-version.js")}` },
    });
    const printed = /^node (v[\d.]+)$/m.exec(version)?.[1] ?? "";
    expect(satisfies(printed, min)).toBe(true);
  });
});
