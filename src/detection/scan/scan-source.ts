/**
 * Scans one input (a file or stdin) into a SourceResult: the findings it holds (approved ones
 * included, in record order) and what was counted. Never throws for bad input: a damaged record
 * costs that record (counted, named by line or record number and byte offset), an unreadable
 * input becomes `error` with the records read before the problem still evaluated.
 *
 * Per-byte work is native: record-framer.ts finds record boundaries with Buffer.indexOf, and a
 * record is parsed only when its bytes can match a rule (recordPrefilter) or its framing is wrong.
 * Uncompressed inputs (no CRC protects them) and `checkEveryRecord` also parse every other record,
 * so that damage anywhere is named. Inputs in no framed layout go through the exact structural
 * walker (record-splitter.ts).
 */
import { errorText, oneLine } from "../../errors/error-text";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { Guardrail } from "../../guardrail/guardrail";
import { evaluateRecord, type Finding } from "../finding";
import { isRecordObject } from "../record";
import { decodedChunks, isGzip } from "./decode";
import { detectLayout, LAYOUT_PROBE_BYTES, RecordFramer, type SliceLocation } from "./record-framer";
import { MalformedJsonError, type RecordKind, RecordSplitter } from "./record-splitter";

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
  /** Why the input could not be read completely (unreadable, corrupt gzip, malformed JSON, empty). */
  error?: string;
}

export interface SourceScanOptions {
  /** Records larger than this are skipped and named; bounds memory. */
  maxRecordBytes?: number;
  /** Parse every record, not only those that can match, so that any damage is named (slower). */
  checkEveryRecord?: boolean;
}

/**
 * Far above any real CloudTrail record (CloudTrail omits request and response elements that are
 * too large; real records are a few KB), far below what makes V8 fail (a string of ~512 MB).
 */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

const MAX_PROBLEM_SAMPLES = 3;
/**
 * Measured with bench/detect.ts: 64 KiB reads and 32 KiB inflate chunks peak ~60-90 MB lower than 1 MiB/256 KiB (freed
 * native buffers stay with the allocator), at the same speed.
 */
const READ_CHUNK = 64 * 1024;
const BACKSLASH_U = Buffer.from("\\u");
const EVENT_SOURCE_KEY = Buffer.from('"eventSource"');
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * A cheap, exact test on raw record bytes: false only when the record provably cannot match any
 * rule. Every rule requires its eventSource (one of guardrail.eventSources) and one of its event
 * names (all in guardrail.eventNames). JSON can spell a letter or a dot only literally or as a
 * `\uXXXX` escape (the other escapes stand for `"`, `\`, `/` and control characters), so without a
 * `\u` in the record those strings can only appear literally. `hasUnicodeEscape` may be given when
 * already known.
 */
export function recordPrefilter(
  guardrail: Pick<Guardrail, "eventSources" | "eventNames">,
): (bytes: Buffer, hasUnicodeEscape?: boolean) => boolean {
  const sources = guardrail.eventSources.map((s) => Buffer.from(s, "utf8"));
  const names = guardrail.eventNames.map((n) => Buffer.from(n, "utf8"));
  return (bytes, hasUnicodeEscape) => {
    if (hasUnicodeEscape) return true;
    if (sources.some((source) => bytes.indexOf(source) !== -1))
      for (const name of names) if (bytes.indexOf(name) !== -1) return true;
    return hasUnicodeEscape === undefined && bytes.indexOf(BACKSLASH_U) !== -1;
  };
}

type Unit = "line" | "record";
const where = (unit: Unit, at: SliceLocation): string => `${unit} ${at.ordinal} (byte ${at.offset})`;

export class SourceScanner {
  private readonly mayMatch: (bytes: Buffer, hasUnicodeEscape?: boolean) => boolean;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly guardrail: Guardrail,
    private readonly options: SourceScanOptions = {},
  ) {
    this.mayMatch = recordPrefilter(guardrail);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  async scanFile(file: string): Promise<SourceResult> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, "r");
    } catch (e) {
      return { ...emptyResult(file), error: describeError(e) };
    }
    try {
      const { size } = await handle.stat();
      if (size > WHOLE_FILE_MAX) return await this.scan(file, readChunks(handle));
      let whole: Buffer;
      try {
        whole = await handle.readFile();
      } catch (e) {
        return { ...emptyResult(file), error: describeError(e) };
      }
      const inflated = isGzip(whole) ? inflateWhole(whole) : undefined;
      // A gzip that does not inflate in one go (corrupt, truncated, too large) is streamed: that path
      // keeps the records before the damage and names it, with memory bounded.
      return await this.scan(file, pieces(inflated ?? whole), inflated ? "gzip" : undefined);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** `decoded`: the chunks are already inflated from a gzip input (its CRC checked). */
  async scan(name: string, source: AsyncIterable<Buffer>, decoded?: "gzip"): Promise<SourceResult> {
    const result = emptyResult(name);
    let checkAll = this.options.checkEveryRecord ?? false;
    let head: Buffer[] = [];
    let headBytes = 0;
    let sink: { push(chunk: Buffer): void; end(): void; sawValue(): boolean } | undefined;
    const start = (): void => {
      let probe = Buffer.concat(head);
      head = [];
      let offset = 0;
      if (probe.subarray(0, 3).equals(UTF8_BOM)) {
        probe = probe.subarray(3);
        offset = 3;
      }
      sink = this.sinkFor(detectLayout(probe), result, checkAll, offset);
      sink.push(probe);
    };
    try {
      const chunks =
        decoded === "gzip"
          ? source
          : decodedChunks(source, (format) => {
              if (format === "plain") checkAll = true;
            });
      for await (const chunk of chunks) {
        result.bytes += chunk.length;
        if (sink) {
          sink.push(chunk);
          continue;
        }
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= LAYOUT_PROBE_BYTES) start();
      }
      if (!sink && headBytes > 0) start();
      sink?.end();
      if (!sink?.sawValue()) result.error = result.bytes === 0 ? "empty input (no JSON value)" : "no JSON value";
    } catch (e) {
      result.error = describeError(e);
    }
    return result;
  }

  private sinkFor(
    layout: "records" | "lines" | "generic",
    result: SourceResult,
    checkAll: boolean,
    offset: number,
  ): { push(chunk: Buffer): void; end(): void; sawValue(): boolean } {
    if (layout === "generic") {
      // The exact structural walker: every byte checked; a structural error ends the input.
      const splitter = new RecordSplitter((bytes, kind, hasU) => {
        const label = `record ${result.records + 1}`;
        if (kind === "object" && !checkAll && !this.mayMatch(bytes, hasU)) this.counted(result, bytes, label);
        else this.element(result, bytes, kind, label);
      }, this.maxRecordBytes);
      return {
        push: (chunk) => splitter.push(chunk),
        end: () => splitter.end(),
        sawValue: () => splitter.topLevelValues > 0,
      };
    }
    const unit: Unit = layout === "lines" ? "line" : "record";
    const framer = new RecordFramer(
      layout,
      {
        slice: (bytes, at, suspect) => this.slice(result, bytes, at, suspect || checkAll, unit),
        oversized: (at, size) => {
          result.records++;
          result.skippedRecords++;
          result.skippedBytes += size;
          this.problem(
            result,
            `${where(unit, at)}: larger than the ${this.maxRecordBytes}-byte record cap (${size} bytes), skipped`,
          );
        },
      },
      this.maxRecordBytes,
      offset,
    );
    return { push: (c) => framer.push(c), end: () => framer.end(), sawValue: () => result.records > 0 };
  }

  /** A framed record: parsed only when it can match or must be validated. */
  private slice(result: SourceResult, bytes: Buffer, at: SliceLocation, validate: boolean, unit: Unit): void {
    if (!validate && !this.mayMatch(bytes)) {
      this.counted(result, bytes, where(unit, at));
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      this.resplit(result, bytes, at, unit, (e as Error).message);
      return;
    }
    this.evaluate(result, record, where(unit, at));
  }

  /** A record the pre-filter ruled out: counted; noticed when it cannot be CloudTrail. */
  private counted(result: SourceResult, bytes: Buffer, label: string): void {
    result.records++;
    if (bytes.indexOf(EVENT_SOURCE_KEY) === -1 && bytes.indexOf(BACKSLASH_U) === -1) this.notCloudTrail(result, label);
  }

  /**
   * A slice that is not one valid record: maybe several records whose boundary had no marker
   * (another key order), maybe damage. The exact walker recovers the values it can; what does not
   * parse is skipped and named as one damaged record, and the scan resumes at the next marker.
   */
  private resplit(result: SourceResult, bytes: Buffer, at: SliceLocation, unit: Unit, parseError: string): void {
    const values: { bytes: Buffer; kind: RecordKind }[] = [];
    const splitter = new RecordSplitter((value, kind) => values.push({ bytes: value, kind }), this.maxRecordBytes);
    let structural: string | undefined;
    try {
      splitter.push(Buffer.from("["));
      splitter.push(bytes);
      splitter.push(Buffer.from("]"));
      splitter.end();
    } catch (e) {
      structural = e instanceof MalformedJsonError ? e.reason : (e as Error).message;
    }
    const label = where(unit, at);
    let damagedBytes = bytes.length;
    const good: unknown[] = [];
    let firstBad: string | undefined;
    for (const value of values) {
      // Only objects are records; a scalar here is a fragment of the damage (a key, a value).
      if (value.kind !== "object") {
        firstBad ??= `unexpected ${value.bytes.length > 20 ? "value" : `'${value.bytes.toString("utf8")}'`}`;
        continue;
      }
      try {
        good.push(JSON.parse(value.bytes.toString("utf8")));
        damagedBytes -= value.bytes.length;
      } catch (e) {
        firstBad ??= (e as Error).message;
      }
    }
    if (good.length === 0) {
      // Nothing recoverable: the slice was one damaged record; JSON.parse says best what is wrong.
      this.skipped(result, label, `not valid JSON: ${parseError}`, bytes.length, unit);
      return;
    }
    for (const record of good) this.evaluate(result, record, label);
    if (structural !== undefined || firstBad !== undefined)
      this.skipped(result, label, `malformed JSON: ${structural ?? firstBad}`, damagedBytes, unit);
  }

  private skipped(result: SourceResult, label: string, reason: string, bytes: number, unit: Unit): void {
    result.records++;
    result.skippedRecords++;
    result.skippedBytes += bytes;
    this.problem(result, `${label}: ${reason}; skipped ${bytes} bytes, resumed at the next ${unit}`);
  }

  /** One value found by the walker (generic layout): parsed and evaluated, or counted as what it is. */
  private element(result: SourceResult, bytes: Buffer, kind: RecordKind, label: string): void {
    if (kind !== "object") {
      result.records++;
      this.invalid(result, `${label} is not a JSON object`);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      this.skipped(result, label, `not valid JSON: ${(e as Error).message}`, bytes.length, "record");
      return;
    }
    this.evaluate(result, record, label);
  }

  private evaluate(result: SourceResult, record: unknown, label: string): void {
    result.records++;
    if (!isRecordObject(record)) {
      this.invalid(result, `${label} is not a JSON object`);
      return;
    }
    if (typeof record.eventSource !== "string" || typeof record.eventName !== "string") {
      this.notCloudTrail(result, label);
      return;
    }
    const evaluation = evaluateRecord(this.guardrail, record);
    if ("finding" in evaluation) result.findings.push(evaluation.finding);
    else if (evaluation.skip === "invalid-record")
      this.invalid(result, `${label}: ${evaluation.reason ?? "invalid record"}`);
  }

  private notCloudTrail(result: SourceResult, label: string): void {
    result.notCloudTrail++;
    result.notCloudTrailExample ??= `${label} has no eventSource/eventName`;
  }

  private invalid(result: SourceResult, reason: string): void {
    result.invalid++;
    this.problem(result, reason);
  }

  private problem(result: SourceResult, text: string): void {
    if (result.problemSamples.length < MAX_PROBLEM_SAMPLES) result.problemSamples.push(text);
  }
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
  };
}

/**
 * Small files (CloudTrail writes a few MB at most) are read whole and a gzip one inflated in one
 * synchronous call: streaming them costs a thread-pool round trip per chunk, which left the scan
 * mostly idle (measured with a CPU profile of bench:detect's archive). The output limit keeps
 * memory bounded: a larger output is streamed instead.
 */
const WHOLE_FILE_MAX = 16 * 1024 * 1024;
const INFLATE_IN_MEMORY_MAX = 64 * 1024 * 1024;
const FEED_CHUNK = 1024 * 1024;

function inflateWhole(gzip: Buffer): Buffer | undefined {
  try {
    return zlib.gunzipSync(gzip, { maxOutputLength: INFLATE_IN_MEMORY_MAX });
  } catch {
    return undefined;
  }
}

async function* pieces(data: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += FEED_CHUNK) yield data.subarray(i, i + FEED_CHUNK);
}

async function* readChunks(handle: fs.promises.FileHandle): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
    if (bytesRead === 0) return;
    yield bytesRead === READ_CHUNK ? buffer : buffer.subarray(0, bytesRead);
  }
}

/** A short reason for people: the tool's one error vocabulary, plus the scanner's own malformed-JSON error. */
export function describeError(e: unknown): string {
  if ((e as Error)?.name === "MalformedJsonError") return `malformed JSON: ${oneLine((e as Error).message)}`;
  return errorText(e);
}
