/**
 * Expands the command line's PATH... into an ordered list of inputs. Directories are walked
 * recursively in sorted order (CloudTrail's `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`
 * layout then sorts by account, region and time), so a scan is deterministic.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeError } from "./source-result";

export type Input =
  | { kind: "file"; path: string; size: number }
  | { kind: "stdin" }
  | { kind: "unreadable"; path: string; reason: string };

/** Names a directory walk picks up. Files named explicitly are read whatever their name. */
const SCANNED_FILE = /\.(json|json\.gz|jsonl|jsonl\.gz|ndjson|ndjson\.gz|gz)$/i;
/** CloudTrail digest files (integrity hashes, no records) live beside the logs: skip them. */
const SKIPPED_DIRECTORY = /^CloudTrail-Digest$/;

/** Something a walk left out on purpose (a link back into a directory already walked). */
export type InputWarning = (path: string, message: string) => void;

interface Walk {
  out: Input[];
  /** Directories already walked, by device and inode: a symbolic link back to one is not followed twice. */
  seen: Set<string>;
  warn: InputWarning;
}

function walk(dir: string, w: Walk, st: fs.Stats): void {
  const id = `${st.dev}:${st.ino}`;
  if (w.seen.has(id)) {
    w.warn(dir, "skipped: a symbolic link to a directory already scanned (a link loop or a second link)");
    return;
  }
  w.seen.add(id);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    w.out.push({ kind: "unreadable", path: dir, reason: describeError(e) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORY.test(entry.name)) pushPath(p, w);
    } else if (entry.isSymbolicLink()) {
      followLink(p, entry.name, w);
    } else if (SCANNED_FILE.test(entry.name) && entry.isFile()) {
      pushPath(p, w);
    }
  }
}

/** A link is followed to a directory whatever its name, to a file when its name is one a walk scans. */
function followLink(p: string, name: string, w: Walk): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    if (SCANNED_FILE.test(name)) w.out.push({ kind: "unreadable", path: p, reason: describeError(e) });
    else w.warn(p, `skipped: a symbolic link that leads nowhere (${describeError(e)})`);
    return;
  }
  if (st.isDirectory() ? !SKIPPED_DIRECTORY.test(name) : SCANNED_FILE.test(name)) pushStat(p, st, w);
}

function pushPath(p: string, w: Walk): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    w.out.push({ kind: "unreadable", path: p, reason: describeError(e) });
    return;
  }
  pushStat(p, st, w);
}

function pushStat(p: string, st: fs.Stats, w: Walk): void {
  if (st.isDirectory()) walk(p, w, st);
  else w.out.push({ kind: "file", path: p, size: st.size });
}

/**
 * `-` is stdin (at most once); anything else a file or a directory. Missing paths become unreadable
 * inputs. Symbolic links inside directories are followed; a directory reached a second time (a link
 * loop) is skipped and reported through `warn`.
 */
export function expandInputs(paths: string[], warn: InputWarning = () => undefined): Input[] {
  const w: Walk = { out: [], seen: new Set(), warn };
  let stdin = false;
  for (const p of paths) {
    if (p === "-") {
      if (!stdin) w.out.push({ kind: "stdin" });
      stdin = true;
    } else {
      pushPath(p, w);
    }
  }
  return w.out;
}
