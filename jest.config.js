const os = require("node:os");

/** Tests run TypeScript through SWC (type checking is the separate `tsc --noEmit` step of `npm test`). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  // A hang still fails; the margin is for a loaded machine (six runs sharing 2 cores made the simulator
  // and DuckDB property tests take over 30 s in seeded rounds, where they take a few seconds alone).
  testTimeout: 120000,
  setupFiles: ["<rootDir>/test/setup/quiet-sdk.js", "<rootDir>/test/setup/fast-check-seed.js"],
  // Jest's default (cores - 1) is a single worker on a 2-core machine; several suites mostly wait
  // (SDK retry backoff against loopback servers, child processes). Measured on 2 cores: 1 worker
  // 57 s, 2 workers 34 s, 3 workers 27 s.
  maxWorkers: os.cpus().length + 1,
};
