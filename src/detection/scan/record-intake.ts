/**
 * What becomes of each record of one scan that a framer or the exact walker hands over: ruled out by the
 * pre-filter and counted, or parsed and given to the evaluator, or named as damage (which record, where,
 * what) with its bytes skipped; a slice that is not one valid record is re-read by the exact walker for the
 * records it holds. Every count of SourceResult is made here. Apart from scan-source.ts, which reads an
 * input and chooses its framer: this is the part that knows what a record is and what its damage costs.
 */
import type { RecordLocation } from "../correlation/compact";
import { isRecordObject } from "../record";
import type { Prefilter } from "./prefilter";
import type { RecordEvaluator } from "./record-evaluator";
import { MalformedJsonError, type RecordKind, RecordSplitter } from "./record-splitter";
import type { SliceLocation } from "./slice-framer";
import type { SourceResult } from "./source-result";

const MAX_PROBLEM_SAMPLES = 3;

export type Unit = "line" | "record";
export const where = (unit: Unit, at: SliceLocation): string => `${unit} ${at.ordinal} (byte ${at.offset})`;
const textOf = (label: string | (() => string)): string => (typeof label === "string" ? label : label());

export class RecordIntake {
  constructor(
    private readonly prefilter: Prefilter,
    private readonly evaluator: RecordEvaluator,
    private readonly maxRecordBytes: number,
  ) {}

  /**
   * A framed record that can match or must be validated: parsed, then evaluated or named as damaged. False when
   * it is not valid JSON (the framer then looks at what the damage did to its structure).
   */
  parse(
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
    this.parsed(result, record, bytes.length, at, unit, rereadable);
    return true;
  }

  /** A framed record of `length` bytes, parsed already (valid JSON, framed as a record): evaluated. */
  parsed(
    result: SourceResult,
    record: unknown,
    length: number,
    at: SliceLocation,
    unit: Unit,
    rereadable: boolean,
  ): void {
    const location = rereadable ? { offset: at.offset, length } : undefined;
    this.evaluate(result, record, () => where(unit, at), location);
  }

  /**
   * A slice that holds record markers nested in it: evaluated when it parses as one record (skipped
   * when larger than the cap, as any record); false when it does not (the framer then splits it).
   */
  parseWhole(result: SourceResult, bytes: Buffer, at: SliceLocation, unit: Unit, rereadable: boolean): boolean {
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
  lineValues(result: SourceResult, bytes: Buffer, at: SliceLocation, checkAll: boolean): void {
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

  oversized(result: SourceResult, at: SliceLocation, size: number, unit: Unit): void {
    result.records++;
    result.skippedRecords++;
    result.skippedBytes += size;
    this.problem(
      result,
      `${where(unit, at)}: larger than the ${this.maxRecordBytes}-byte record cap (${size} bytes), skipped`,
    );
  }

  /** A record the pre-filter ruled out: counted; noticed when it cannot be CloudTrail. */
  ruledOut(result: SourceResult, verdict: "no-match" | "not-cloudtrail", label: string): void {
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
  element(
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
