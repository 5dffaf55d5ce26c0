/**
 * Scans one input (a file or stdin) into a SourceResult: the findings it holds (approved ones
 * included, in record order) and what was counted. Never throws for bad input: a damaged record
 * costs that record (counted, named by line or record number and byte offset), an unreadable
 * input becomes `error` with the records read before the problem still evaluated.
 *
 * Per-byte work is native: record-framer.ts and line-framer.ts find record boundaries with
 * Buffer.indexOf, and a record is parsed only when its bytes can match a rule (prefilter.ts, which
 * searches each decoded block once) or its framing is wrong.
 * Uncompressed inputs (no CRC protects them) and `checkEveryRecord` also parse every other record,
 * so that damage anywhere is named. Inputs in no framed layout go through the exact structural
 * walker (record-splitter.ts).
 */
import { errorText, oneLine } from "../../errors/error-text";
import * as fs from "node:fs";
import type { Guardrail } from "../../guardrail/guardrail";
import { selectorsOf } from "../../guardrail/correlation-rule";
import { emptyPackedEvents, type PackedEvents, packRecord, type RecordLocation } from "../correlation/compact";
import { evaluateRecord, type Finding } from "../finding";
import { type CloudTrailRecord, isRecordObject } from "../record";
import { decodedChunks } from "./decode";
import { once, readChunks, readSmallInput } from "./read-input";
import { LineFramer } from "./line-framer";
import { RecordFramer } from "./record-framer";
import { detectLayout, LAYOUT_PROBE_BYTES, type Layout } from "./record-layout";
import type { FramerSink, SliceLocation } from "./slice-framer";
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
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

type Unit = "line" | "record";
const where = (unit: Unit, at: SliceLocation): string => `${unit} ${at.ordinal} (byte ${at.offset})`;
const textOf = (label: string | (() => string)): string => (typeof label === "string" ? label : label());

/**
 * What a scan does with each CloudTrail record: detect runs the rules; other readers of history
 * (preview) bring their own. `scope` is what the pre-filter lets through: a record is parsed only
 * when it names one of the sources and holds one of that source's names (any literal text works).
 */
export interface RecordEvaluator {
  readonly scope: PrefilterScope;
  /**
   * One record with string eventSource and eventName; returns why it is invalid, or undefined.
   * `location`: where its text is in an input that can be read again (a file), when known.
   */
  evaluate(record: CloudTrailRecord, result: SourceResult, location?: RecordLocation): string | undefined;
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
    evaluate(record, result, location) {
      const evaluation = evaluateRecord(guardrail, record);
      if (correlations.length > 0) packRecord(result.correlation, correlations, record, location);
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
    let input: ReturnType<typeof readSmallInput>;
    try {
      input = readSmallInput(file);
    } catch (e) {
      return { ...emptyResult(file), error: describeError(e) };
    }
    if (!input) return this.scanLargeFile(file);
    // A gzip that does not inflate in one go (corrupt, truncated, too large) is streamed: that path
    // keeps the records before the damage and names it, with memory bounded.
    const decoded = input.inflated ? "gzip" : undefined;
    return this.scan(file, once(input.data), { decoded, rereadable: true });
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
      // A named pipe or a device is read once: only a regular file can be read again.
      const rereadable = await handle.stat().then(
        (stat) => stat.isFile(),
        () => false,
      );
      return await this.scan(file, this.counted(file, readChunks(handle)), { rereadable });
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

  /**
   * `decoded`: the chunks are already inflated from a gzip input (its CRC checked). `rereadable`: the
   * input is the file `name`, which record-reread.ts can read again: records are handed to the
   * evaluator with their location.
   */
  async scan(
    name: string,
    source: AsyncIterable<Buffer>,
    { decoded, rereadable = false }: { decoded?: "gzip"; rereadable?: boolean } = {},
  ): Promise<SourceResult> {
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
      sink = this.sinkFor(detectLayout(probe), result, checkAll, offset, rereadable);
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
      // The input broke off (a truncated gzip, a read error): what came before is still scanned, the
      // records held back for the layout probe and the last one before the break included (the
      // framer names a record cut off there). A structural error of the walker ends the input as is.
      if (!(e instanceof MalformedJsonError)) {
        try {
          if (!sink && headBytes > 0) start();
          sink?.end();
        } catch {
          // The walker's value cut off by the break: the break is what result.error names.
        }
      }
    }
    return result;
  }

  private sinkFor(
    layout: Layout,
    result: SourceResult,
    checkAll: boolean,
    offset: number,
    rereadable: boolean,
  ): { push(chunk: Buffer): void; end(): void; sawValue(): boolean } {
    if (layout === "generic") {
      // The exact structural walker: every byte checked; a structural error ends the input.
      const splitter = new RecordSplitter(
        (bytes, kind, hasU) => this.element(result, bytes, { kind, hasU, checkAll }, `record ${result.records + 1}`),
        this.maxRecordBytes,
      );
      return {
        push: (chunk) => splitter.push(chunk),
        end: () => splitter.end(),
        sawValue: () => splitter.topLevelValues > 0,
      };
    }
    const unit: Unit = layout === "lines" ? "line" : "record";
    const prefilter = this.prefilter.forBlocks();
    const sink: FramerSink = {
      slice: (buf, start, end, offset, ordinal, suspect, inner, resynced, unproven) => {
        const at = { offset, ordinal };
        // A slice that passed record markers nested in it (or damage): one record only if it parses.
        const nested = inner !== undefined && inner.length > 0;
        const oversized = nested && end - start > this.maxRecordBytes;
        const verdict = suspect || checkAll || oversized ? "must-parse" : prefilter.decide(buf, start, end);
        if (verdict === "no-match") result.records++;
        else if (verdict === "not-cloudtrail") this.ruledOut(result, verdict, where(unit, at));
        else if (!nested)
          return !this.parse(result, buf.subarray(start, end), at, unit, rereadable, resynced, unproven);
        else return !this.parseWhole(result, buf.subarray(start, end), at, unit, rereadable);
        return undefined;
      },
      oversized: (at, size) => this.oversized(result, at, size, unit),
      values: (buf, start, end, at) => this.lineValues(result, buf.subarray(start, end), at, checkAll),
    };
    const framer =
      layout === "lines"
        ? new LineFramer(sink, this.maxRecordBytes, offset)
        : new RecordFramer(layout, sink, this.maxRecordBytes, offset);
    return {
      push: (chunk) => {
        if (!checkAll) prefilter.load(chunk);
        framer.push(chunk);
      },
      end: () => framer.end(),
      sawValue: () => result.records > 0,
    };
  }

  /**
   * A framed record that can match or must be validated: parsed, then evaluated or named as damaged. False when
   * it is not valid JSON (the framer then looks at what the damage did to its structure).
   */
  private parse(
    result: SourceResult,
    bytes: Buffer,
    at: SliceLocation,
    unit: Unit,
    rereadable: boolean,
    resynced = false,
    unproven = false,
  ): boolean {
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      this.resplit(result, bytes, at, unit, (e as Error).message, resynced || unproven, unproven);
      return false;
    }
    if (unproven) {
      // Valid JSON, but maybe an object nested in the damaged record before it (see RecordFramer).
      const reason = "not shown to be a record (it follows damage, and may be nested in the damaged record)";
      this.skipped(result, where(unit, at), reason, bytes.length, unit);
      return true;
    }
    const location = rereadable ? { offset: at.offset, length: bytes.length } : undefined;
    this.evaluate(result, record, () => where(unit, at), location);
    return true;
  }

  /**
   * A slice that holds record markers nested in it: evaluated when it parses as one record (skipped
   * when larger than the cap, as any record); false when it does not (the framer then splits it).
   */
  private parseWhole(result: SourceResult, bytes: Buffer, at: SliceLocation, unit: Unit, rereadable: boolean): boolean {
    let record: unknown;
    try {
      record = JSON.parse(bytes.toString("utf8"));
    } catch {
      return false;
    }
    if (bytes.length > this.maxRecordBytes) this.oversized(result, at, bytes.length, unit);
    else
      this.evaluate(
        result,
        record,
        () => where(unit, at),
        rereadable ? { offset: at.offset, length: bytes.length } : undefined,
      );
    return true;
  }

  /**
   * A JSON array or a delivery file among NDJSON lines (a line that opens with `[` or `{"Records"`): its elements are
   * the records, read by the exact walker as in the generic layout. Damage in it ends it there, named; the elements
   * before it are read.
   */
  private lineValues(result: SourceResult, bytes: Buffer, at: SliceLocation, checkAll: boolean): void {
    let read = 0;
    let n = 0;
    const splitter = new RecordSplitter((value, kind, hasU) => {
      read += value.length;
      this.element(result, value, { kind, hasU, checkAll }, `${where("line", at)} element ${++n}`);
    }, this.maxRecordBytes);
    try {
      splitter.push(bytes);
      splitter.end();
    } catch (e) {
      const reason = e instanceof MalformedJsonError ? e.reason : (e as Error).message;
      this.skipped(result, where("line", at), `malformed JSON: ${reason}`, bytes.length - read, "line");
    }
  }

  private oversized(result: SourceResult, at: SliceLocation, size: number, unit: Unit): void {
    result.records++;
    result.skippedRecords++;
    result.skippedBytes += size;
    this.problem(
      result,
      `${where(unit, at)}: larger than the ${this.maxRecordBytes}-byte record cap (${size} bytes), skipped`,
    );
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
  private resplit(
    result: SourceResult,
    bytes: Buffer,
    at: SliceLocation,
    unit: Unit,
    parseError: string,
    resynced = false,
    unproven = false,
  ): void {
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
    // After a resynchronisation the slice may start inside a record: when it is not even well nested, or nothing
    // after it showed it to be a record (`unproven`), the values the walker finds in it may be objects nested in
    // that record, not records. None is kept.
    if ((resynced && structural !== undefined) || unproven) values.length = 0;
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

  /**
   * One value found by the exact walker (the generic layout, an array among lines): an object the prefilter rules
   * out is counted as such (unless every record is checked), else it is parsed and evaluated, or counted as what it is.
   */
  private element(
    result: SourceResult,
    bytes: Buffer,
    { kind, hasU, checkAll }: { kind: RecordKind; hasU: boolean; checkAll: boolean },
    label: string,
  ): void {
    const verdict = kind === "object" && !checkAll ? this.prefilter.decide(bytes, hasU) : undefined;
    if (verdict !== undefined && verdict !== "may-match") {
      this.ruledOut(result, verdict, label);
      return;
    }
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

  /** `label` names the record in a problem: a function where naming it is rare (the text costs a share of the scan). */
  private evaluate(
    result: SourceResult,
    record: unknown,
    label: string | (() => string),
    location?: RecordLocation,
  ): void {
    result.records++;
    if (!isRecordObject(record)) {
      this.invalid(result, `${textOf(label)} is not a JSON object`);
      return;
    }
    if (typeof record.eventSource !== "string" || typeof record.eventName !== "string") {
      this.notCloudTrail(result, textOf(label));
      return;
    }
    const invalid = this.evaluator.evaluate(record, result, location);
    if (invalid !== undefined) this.invalid(result, `${textOf(label)}: ${invalid}`);
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

/** A short reason for people: the tool's one error vocabulary, plus the scanner's own malformed-JSON error. */
export function describeError(e: unknown): string {
  if ((e as Error)?.name === "MalformedJsonError") return `malformed JSON: ${oneLine((e as Error).message)}`;
  return errorText(e);
}
