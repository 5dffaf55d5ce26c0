/**
 * Scans one input (a file or stdin) into a SourceResult: the findings it holds (approved ones
 * included, in record order) and what was counted. Never throws for bad input: a damaged record
 * costs that record (counted, named by line or record number and byte offset), an unreadable
 * input becomes `error` with the records read before the problem still evaluated.
 *
 * Per-byte work is native: record-framer.ts finds record boundaries with Buffer.indexOf, and a
 * record is parsed only when its bytes can match a rule (prefilter.ts, which searches each decoded
 * block once) or its framing is wrong.
 * Uncompressed inputs (no CRC protects them) and `checkEveryRecord` also parse every other record,
 * so that damage anywhere is named. Inputs in no framed layout go through the exact structural
 * walker (record-splitter.ts).
 */
import { errorText, oneLine } from "../../errors/error-text";
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { Guardrail } from "../../guardrail/guardrail";
import { selectorsOf } from "../../guardrail/correlation-rule";
import { emptyPackedEvents, type PackedEvents, packRecord } from "../correlation/compact";
import { evaluateRecord, type Finding } from "../finding";
import { type CloudTrailRecord, isRecordObject } from "../record";
import { decodedChunks, isGzip } from "./decode";
import { detectLayout, LAYOUT_PROBE_BYTES, type Layout, RecordFramer, type SliceLocation } from "./record-framer";
import { Prefilter, type PrefilterScope } from "./prefilter";
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
  /** The events of the records a correlation rule looks at: scan() correlates them in time order. */
  correlation: PackedEvents;
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
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

type Unit = "line" | "record";
const where = (unit: Unit, at: SliceLocation): string => `${unit} ${at.ordinal} (byte ${at.offset})`;

/**
 * What a scan does with each CloudTrail record: detect runs the rules; other readers of history
 * (preview) bring their own. `scope` is what the pre-filter lets through: a record is parsed only
 * when it names one of the sources and holds one of that source's names (any literal text works).
 */
export interface RecordEvaluator {
  readonly scope: PrefilterScope;
  /** One record with string eventSource and eventName; returns why it is invalid, or undefined. */
  evaluate(record: CloudTrailRecord, result: SourceResult): string | undefined;
}

/** What detect's pre-filter lets through: what any rule reads, event rules' records and correlation rules' steps. */
export function detectScope(guardrail: Guardrail): PrefilterScope {
  return { rules: [...guardrail.rules, ...guardrail.correlationRules.flatMap(selectorsOf)] };
}

/**
 * detect's evaluator: the guardrail's rules, findings into result.findings, and the events of the
 * records a correlation rule reads into result.correlation for scan() to correlate.
 */
function ruleEvaluator(guardrail: Guardrail): RecordEvaluator {
  const correlations = guardrail.correlationRules;
  return {
    scope: detectScope(guardrail),
    evaluate(record, result) {
      const evaluation = evaluateRecord(guardrail, record);
      if (correlations.length > 0) packRecord(result.correlation, correlations, record);
      if ("finding" in evaluation) result.findings.push(evaluation.finding);
      else if (evaluation.skip === "invalid-record") return evaluation.reason ?? "invalid record";
      return undefined;
    },
  };
}

export class SourceScanner {
  private readonly prefilter: Prefilter;
  private readonly maxRecordBytes: number;
  private readonly evaluator: RecordEvaluator;
  /**
   * Raw bytes read so far of an input streamed on this thread (stdin, a file too large to hold):
   * progress within one input. Not an option: options go to worker threads, a function cannot.
   */
  onBytesRead?: (read: { name: string; bytes: number }) => void;

  constructor(
    guardrail: Guardrail,
    private readonly options: SourceScanOptions = {},
    evaluator?: RecordEvaluator,
  ) {
    this.evaluator = evaluator ?? ruleEvaluator(guardrail);
    this.prefilter = new Prefilter(this.evaluator.scope);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  async scanFile(file: string): Promise<SourceResult> {
    let whole: Buffer | undefined;
    try {
      whole = readSmallFile(file);
    } catch (e) {
      return { ...emptyResult(file), error: describeError(e) };
    }
    if (!whole) return this.scanLargeFile(file);
    const inflated = isGzip(whole) ? inflateWhole(whole) : undefined;
    // A gzip that does not inflate in one go (corrupt, truncated, too large) is streamed: that path
    // keeps the records before the damage and names it, with memory bounded.
    return this.scan(file, once(inflated ?? whole), inflated ? "gzip" : undefined);
  }

  /** A file too large to hold (or not a regular file): read in chunks, inflated as it streams. */
  private async scanLargeFile(file: string): Promise<SourceResult> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, "r");
    } catch (e) {
      return { ...emptyResult(file), error: describeError(e) };
    }
    try {
      return await this.scan(file, this.counted(file, readChunks(handle)));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  /** stdin (or any stream), its bytes counted for onBytesRead. */
  scanStream(name: string, source: AsyncIterable<Buffer>): Promise<SourceResult> {
    return this.scan(name, this.counted(name, source));
  }

  private async *counted(name: string, source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let bytes = 0;
    for await (const chunk of source) {
      bytes += chunk.length;
      this.onBytesRead?.({ name, bytes });
      yield chunk;
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
      let probe = head.length === 1 ? head[0] : Buffer.concat(head);
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
    layout: Layout,
    result: SourceResult,
    checkAll: boolean,
    offset: number,
  ): { push(chunk: Buffer): void; end(): void; sawValue(): boolean } {
    if (layout === "generic") {
      // The exact structural walker: every byte checked; a structural error ends the input.
      const splitter = new RecordSplitter((bytes, kind, hasU) => {
        const label = `record ${result.records + 1}`;
        const verdict = kind === "object" && !checkAll ? this.prefilter.decide(bytes, hasU) : undefined;
        if (verdict === undefined || verdict === "may-match") this.element(result, bytes, kind, label);
        else this.ruledOut(result, verdict, label);
      }, this.maxRecordBytes);
      return {
        push: (chunk) => splitter.push(chunk),
        end: () => splitter.end(),
        sawValue: () => splitter.topLevelValues > 0,
      };
    }
    const unit: Unit = layout === "lines" ? "line" : "record";
    const prefilter = this.prefilter.forBlocks();
    const framer = new RecordFramer(
      layout,
      {
        slice: (buf, start, end, offset, ordinal, suspect) => {
          const verdict = suspect || checkAll ? "must-parse" : prefilter.decide(buf, start, end);
          if (verdict === "no-match") result.records++;
          else if (verdict === "not-cloudtrail") this.ruledOut(result, verdict, where(unit, { offset, ordinal }));
          else this.parse(result, buf.subarray(start, end), { offset, ordinal }, unit);
        },
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
    return {
      push: (chunk) => {
        if (!checkAll) prefilter.load(chunk);
        framer.push(chunk);
      },
      end: () => framer.end(),
      sawValue: () => result.records > 0,
    };
  }

  /** A framed record that can match or must be validated: parsed, then evaluated or named as damaged. */
  private parse(result: SourceResult, bytes: Buffer, at: SliceLocation, unit: Unit): void {
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
  private ruledOut(result: SourceResult, verdict: "no-match" | "not-cloudtrail", label: string): void {
    result.records++;
    if (verdict === "not-cloudtrail") this.notCloudTrail(result, label);
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
    const invalid = this.evaluator.evaluate(record, result);
    if (invalid !== undefined) this.invalid(result, `${label}: ${invalid}`);
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
    correlation: emptyPackedEvents(),
  };
}

/**
 * Small files (CloudTrail writes a few MB at most) are read whole, synchronously, and a gzip one
 * inflated in one synchronous call: each asynchronous step costs a thread-pool round trip, which
 * left the scan mostly idle (measured with CPU profiles of bench:detect's archive); a scan thread
 * has nothing else to do meanwhile. The output limit keeps memory bounded: a larger output is
 * streamed instead.
 */
const WHOLE_FILE_MAX = 16 * 1024 * 1024;
const INFLATE_IN_MEMORY_MAX = 64 * 1024 * 1024;

/** A regular file of at most WHOLE_FILE_MAX bytes, read whole; undefined for any other file. Throws what fs throws. */
function readSmallFile(file: string): Buffer | undefined {
  // Looked at before it is opened: opening a named pipe would hold this thread until its writer
  // comes (and opening it only to close it again would leave its writer without a reader).
  if (!fs.statSync(file).isFile()) return undefined;
  const fd = fs.openSync(file, "r");
  try {
    const stat = fs.fstatSync(fd);
    return stat.isFile() && stat.size <= WHOLE_FILE_MAX ? fs.readFileSync(fd) : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The output chunk when the gzip trailer gives a smaller size (zlib's own default is 16 KiB). */
const MIN_INFLATE_CHUNK = 64 * 1024;

function inflateWhole(gzip: Buffer): Buffer | undefined {
  // The gzip trailer holds the size of the last member's output (mod 2^32). One output chunk one byte
  // larger saves zlib gluing ~16 KiB chunks together (a copy of the whole file and many allocations,
  // which cost as much as the inflating: CPU profile of bench:detect). A wrong size (several members, a
  // lie) only means more chunks; the output limit bounds the allocation.
  const expected = gzip.length >= 18 ? gzip.readUInt32LE(gzip.length - 4) : 0;
  const chunkSize = Math.min(INFLATE_IN_MEMORY_MAX, Math.max(MIN_INFLATE_CHUNK, expected + 1));
  try {
    return zlib.gunzipSync(gzip, { chunkSize, maxOutputLength: INFLATE_IN_MEMORY_MAX });
  } catch {
    return undefined;
  }
}

/** The whole input as one chunk: the framer and the pre-filter search it in one call each. */
async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
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
