/**
 * What a local scan's summary means for the commands that read CloudTrail files (detect, preview): when
 * it is incomplete, and the warning for a scan that read no CloudTrail record at all. One place, so
 * that a gate passes on nothing in neither command.
 */
import type { ScanSummary } from "../detection/scan/scan";

/** No CloudTrail record was read (an empty directory, other JSON, logs of another kind): nothing was checked. */
function scannedNothing(s: ScanSummary): boolean {
  return s.records - s.notCloudTrail === 0 && s.skippedRecords === 0;
}

/**
 * An unreadable input, a skipped or invalid record leaves the scan incomplete, and so does a scan that
 * read no CloudTrail record (a gate must not pass on nothing).
 */
export function scanIncomplete(s: ScanSummary): boolean {
  return s.unreadable.length + s.skippedRecords + s.invalidRecords > 0 || scannedNothing(s);
}

/** The stderr line that says nothing was checked (`<command>: warning: ...`), or "" when records were read. */
export function scannedNothingWarning(command: string, s: ScanSummary): string {
  if (!scannedNothing(s)) return "";
  return (
    `${command}: warning: no CloudTrail record in ${s.files} file(s): nothing was checked ` +
    "(a directory walk reads .json, .json.gz, .jsonl, .ndjson and .gz files)\n"
  );
}
