/**
 * What scanning one input (a file or stdin) gives: the findings, what was counted, the first few problems, and
 * why the input could not be read completely. Its own file because every stage of the scan fills or merges it
 * (scan-source.ts and record-intake.ts on the thread that scans, pool.ts across threads, scan.ts for the summary).
 */
import { errorText, oneLine } from "../../errors/error-text";
import { emptyPackedEvents, type PackedEvents } from "../correlation/compact";
import type { Finding } from "../finding";

export interface SourceResult {
  /** Path as given or found, or "-" for stdin. */
  name: string;
  /** Decoded (uncompressed) JSON bytes read. */
  bytes: number;
  /** Records read, damaged ones included. */
  records: number;
  /** Records that are not JSON objects, or match the rule without eventID/eventTime. */
  invalid: number;
  /** Records not evaluated: malformed JSON, or larger than the size cap. */
  skippedRecords: number;
  skippedBytes: number;
  /** Records without eventSource/eventName: the input does not look like CloudTrail. */
  notCloudTrail: number;
  /** The first few problems (which record, where, what), for stderr. */
  problemSamples: string[];
  /** The first record that does not look like CloudTrail. */
  notCloudTrailExample?: string;
  findings: Finding[];
  /** The events of the records a correlation rule looks at: scan() correlates them in time order. */
  correlation: PackedEvents;
  /** Why the input could not be read completely (unreadable, corrupt gzip, malformed JSON, empty). */
  error?: string;
}

export function emptyResult(name: string): SourceResult {
  return {
    name,
    bytes: 0,
    records: 0,
    invalid: 0,
    skippedRecords: 0,
    skippedBytes: 0,
    notCloudTrail: 0,
    problemSamples: [],
    findings: [],
    correlation: emptyPackedEvents(),
  };
}

/** A short reason for people: the tool's one error vocabulary, plus the scanner's own malformed-JSON error. */
export function describeError(e: unknown): string {
  if ((e as Error)?.name === "MalformedJsonError") return `malformed JSON: ${oneLine((e as Error).message)}`;
  return errorText(e);
}
