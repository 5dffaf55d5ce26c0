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
 * walker (record-splitter.ts). What becomes of each record, and every count, is record-intake.ts's;
 * what a record is evaluated for, record-evaluator.ts's.
 */
import * as fs from "node:fs";
import type { Guardrail } from "../../guardrail/guardrail";
import { decodedChunks } from "./decode";
import { once, readChunks, readSmallInput } from "./read-input";
import { LineFramer } from "./line-framer";
import { RecordFramer } from "./record-framer";
import { detectLayout, LAYOUT_PROBE_BYTES, type Layout } from "./record-layout";
import type { FramerSink } from "./slice-framer";
import { Prefilter, type Prefiltered } from "./prefilter";
import { type RecordEvaluator, ruleEvaluator } from "./record-evaluator";
import { RecordIntake, type Unit, where } from "./record-intake";
import { MalformedJsonError, RecordSplitter } from "./record-splitter";
import { describeError, emptyResult, type SourceResult } from "./source-result";

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

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** What becomes of a slice: the pre-filter's verdict, or parsed whatever it holds. */
type Verdict = Prefiltered | "must-parse";

export class SourceScanner {
  private readonly prefilter: Prefilter;
  private readonly maxRecordBytes: number;
  /** What becomes of each record, shared by the inputs this scanner reads (their results apart). */
  private readonly intake: RecordIntake;
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
    const recordEvaluator = evaluator ?? ruleEvaluator(guardrail);
    this.prefilter = new Prefilter(recordEvaluator.scope);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.intake = new RecordIntake(this.prefilter, recordEvaluator, this.maxRecordBytes);
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
    const intake = this.intake;
    if (layout === "generic") {
      // The exact structural walker: every byte checked; a structural error ends the input.
      const splitter = new RecordSplitter(
        (bytes, kind, hasU) => intake.element(result, bytes, { kind, hasU, checkAll }, `record ${result.records + 1}`),
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
    // The slice parseAhead looked at last (one object per scan, not one per record): the pre-filter's verdict,
    // and the record when it parsed.
    const ahead = {
      buf: undefined as Buffer | undefined,
      start: 0,
      end: 0,
      verdict: "no-match" as Verdict,
      parsed: false,
      record: undefined as unknown,
    };
    const sink: FramerSink = {
      parseAhead: (buf, start, end) => {
        const verdict = checkAll ? "must-parse" : prefilter.decide(buf, start, end);
        ahead.buf = buf;
        ahead.start = start;
        ahead.end = end;
        ahead.verdict = verdict;
        ahead.parsed = false;
        ahead.record = undefined;
        if (verdict === "no-match" || verdict === "not-cloudtrail") return false;
        try {
          ahead.record = JSON.parse(buf.toString("utf8", start, end));
        } catch {
          return false; // the slice is parsed again when cut, for what its damage is
        }
        ahead.parsed = true;
        return true;
      },
      slice: (buf, start, end, offset, ordinal, suspect, inner, resynced, unproven) => {
        const at = { offset, ordinal };
        // A slice that passed record markers nested in it (or damage): one record only if it parses.
        const nested = inner !== undefined && inner.length > 0;
        const oversized = nested && end - start > this.maxRecordBytes;
        const early = ahead.buf === buf && ahead.start === start && ahead.end === end;
        const { parsed, record } = ahead;
        ahead.buf = undefined;
        ahead.record = undefined;
        if (early && parsed && !suspect && !nested && !resynced && !unproven) {
          intake.parsed(result, record, end - start, at, unit, rereadable);
          return undefined;
        }
        const verdict =
          suspect || checkAll || oversized ? "must-parse" : early ? ahead.verdict : prefilter.decide(buf, start, end);
        if (verdict === "no-match") result.records++;
        else if (verdict === "not-cloudtrail") intake.ruledOut(result, verdict, where(unit, at));
        else if (!nested)
          return !intake.parse(result, buf.subarray(start, end), at, unit, rereadable, resynced, unproven);
        else return !intake.parseWhole(result, buf.subarray(start, end), at, unit, rereadable);
        return undefined;
      },
      oversized: (at, size) => intake.oversized(result, at, size, unit),
      values: (buf, start, end, at) => intake.lineValues(result, buf.subarray(start, end), at, checkAll),
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
}
