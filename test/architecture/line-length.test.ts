/** The formatter keeps code within 120 columns but cannot split strings or comments: this catches those. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const MAX = 120;

test(`no line of src/, test/, bench/ or main.ts is longer than ${MAX} characters`, () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => /^(src|test|bench)\/|^main\.ts$/.test(f) && fs.existsSync(path.join(ROOT, f)));
  const long = files.flatMap((file) =>
    fs
      .readFileSync(path.join(ROOT, file), "utf8")
      .split("\n")
      .flatMap((line, i) => (line.length > MAX ? [`${file}:${i + 1} (${line.length})`] : [])),
  );
  expect(long).toEqual([]);
});
