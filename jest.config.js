const os = require("node:os");

/** Tests run TypeScript through SWC (type checking is the separate `tsc --noEmit` step of `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // A hang still fails; the margin is for a loaded machine, where the simulator and DuckDB property
  // suites take many times longer than alone.
  testTimeout: 120000,
  globalSetup: "<rootDir>/test/setup/global-setup.ts",
  globalTeardown: "<rootDir>/test/setup/global-teardown.ts",
  testSequencer: "<rootDir>/test/setup/slow-first-sequencer.js",
  setupFiles: ["<rootDir>/test/setup/quiet-sdk.js", "<rootDir>/test/setup/fast-check-seed.js"],
  // Jest's default (cores - 1) is a single worker on a 2-core machine; several suites mostly wait
  // (SDK retry backoff against loopback servers, child processes), so one worker more than the cores
  // keeps the cores busy.
  maxWorkers: os.cpus().length + 1,
};
