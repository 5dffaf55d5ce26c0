// Builds dist/ once, before any worker starts, when a source is newer than it: the suites that run the
// compiled app or CLI (test/entry, test/infra/constructs) would otherwise each rebuild it in parallel and
// one could read dist/ while another rewrites it.
const path = require("node:path");

module.exports = () => {
  require(path.join(__dirname, "..", "..", "scripts", "ensure-built.js")).ensureBuilt();
};
