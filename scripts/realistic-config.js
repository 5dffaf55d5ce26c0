// The tests' realistic organization (REALISTIC_CONFIG in test/policy/helpers.ts, TypeScript) as a value, for the
// scripts that synthesize it outside jest (synth-snapshot.js, cdktn-proof.js).

const { buildSync } = require("esbuild");
const path = require("node:path");

const root = path.join(__dirname, "..");

function realisticConfig() {
  const { outputFiles } = buildSync({
    stdin: {
      contents: 'export { REALISTIC_CONFIG } from "./test/policy/helpers";',
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "cjs",
    packages: "external",
    write: false,
  });
  const m = { exports: {} };
  // The bundle stands where the repository root is: __dirname there finds the package and its policies.
  new Function("module", "exports", "require", "__dirname", outputFiles[0].text)(m, m.exports, require, root);
  return m.exports.REALISTIC_CONFIG;
}

module.exports = { realisticConfig };
