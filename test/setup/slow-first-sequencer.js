// Starts the suites marked `@slow` in their header comment first. Without timings from an earlier run
// (a clean clone, CI) jest orders suites by file size, and a small file that simulates thousands of
// IAM requests would start last and leave the other workers idle while it runs alone. With timings,
// jest's own order (failed first, then longest first) is kept within each group.
const fs = require("node:fs");
const Sequencer = require("@jest/test-sequencer").default;

const HEADER_BYTES = 2048;
const SLOW = /^\s*\*?\s*@slow\b/m;

function isMarkedSlow(file) {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, head, 0, HEADER_BYTES, 0);
    const text = head.subarray(0, n).toString("utf8");
    const comment = text.match(/^\s*\/\*\*?([\s\S]*?)\*\//);
    return comment !== null && SLOW.test(comment[1]);
  } finally {
    fs.closeSync(fd);
  }
}

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const slow = new Set(ordered.filter((t) => isMarkedSlow(t.path)));
    return [...ordered.filter((t) => slow.has(t)), ...ordered.filter((t) => !slow.has(t))];
  }
}

module.exports = SlowFirstSequencer;
