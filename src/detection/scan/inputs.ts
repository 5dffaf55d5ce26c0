/**
 * Expands the command line's PATH... into an ordered list of inputs. Directories are walked
 * recursively in sorted order (CloudTrail's `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`
 * layout then sorts by account, region and time), so a scan is deterministic.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeError } from "./scan-source";

export type Input =
  | { kind: "file"; path: string; size: number }
  | { kind: "stdin" }
  | { kind: "unreadable"; path: string; reason: string };

/** Names a directory walk picks up. Files named explicitly are read whatever their name. */
const SCANNED_FILE = /\.(json|json\.gz|jsonl|jsonl\.gz|ndjson|ndjson\.gz|gz)$/i;
/** CloudTrail digest files (integrity hashes, no records) live beside the logs: skip them. */
const SKIPPED_DIRECTORY = /^CloudTrail-Digest$/;

function walk(dir: string, out: Input[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    out.push({ kind: "unreadable", path: dir, reason: describeError(e) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORY.test(entry.name)) walk(p, out);
    } else if (SCANNED_FILE.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      pushFile(p, out);
    }
  }
}

function pushFile(p: string, out: Input[]): void {
  try {
    const st = fs.statSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push({ kind: "file", path: p, size: st.size });
  } catch (e) {
    out.push({ kind: "unreadable", path: p, reason: describeError(e) });
  }
}

/** `-` is stdin (at most once); anything else a file or a directory. Missing paths become unreadable inputs. */
export function expandInputs(paths: string[]): Input[] {
  const out: Input[] = [];
  let stdin = false;
  for (const p of paths) {
    if (p === "-") {
      if (!stdin) out.push({ kind: "stdin" });
      stdin = true;
    } else {
      pushFile(p, out);
    }
  }
  return out;
}
