/**
 * Scans one input (a file or stdin) into a SourceResult: the findings it holds (approved ones
 * included, in record order) and what was counted. Never throws for bad input: an unreadable or
 * malformed input becomes `error`, with the records read before the problem still evaluated.
 */
import * as fs from "node:fs";
import type { Guardrail } from "../../guardrail/guardrail";
import { evaluateRecord, type Finding } from "../finding";
import { isRecordObject } from "../record";
import { decodedChunks } from "./decode";
import { type RecordKind, RecordSplitter } from "./record-splitter";

export interface SourceResult {
  /** Path as given or found, or "-" for stdin. */
  name: string;
  /** Decoded (uncompressed) JSON bytes read. */
  bytes: number;
  records: number;
  /** Records that are not JSON objects, do not parse, or match the rule without eventID/eventTime. */
  invalid: number;
  /** The first few invalid-record reasons, for stderr. */
  invalidSamples: string[];
  findings: Finding[];
  /** Why the input could not be read completely (unreadable, corrupt gzip, malformed JSON, empty). */
  error?: string;
}

const MAX_INVALID_SAMPLES = 3;
/**
 * Measured with bench/detect.ts: 64 KiB reads and 32 KiB inflate chunks peak ~60-90 MB lower than 1 MiB/256 KiB (freed
 * native buffers stay with the allocator), at the same speed.
 */
const READ_CHUNK = 64 * 1024;

/**
 * A cheap, exact test on raw record bytes: false only when the record provably cannot match any
 * rule. Every rule requires eventSource == guardrail.eventSource and eventName among the guarded
 * names; without a `\u` escape those strings can only appear literally (see record-splitter.ts).
 */
export function recordPrefilter(
  guardrail: Pick<Guardrail, "eventSource" | "eventNames">,
): (bytes: Buffer, hasUnicodeEscape: boolean) => boolean {
  const source = Buffer.from(guardrail.eventSource, "utf8");
  const names = guardrail.eventNames.map((n) => Buffer.from(n, "utf8"));
  return (bytes, hasUnicodeEscape) => {
    if (hasUnicodeEscape) return true;
    if (bytes.indexOf(source) === -1) return false;
    for (const name of names) if (bytes.indexOf(name) !== -1) return true;
    return false;
  };
}

export class SourceScanner {
  private readonly mayMatch: (bytes: Buffer, hasUnicodeEscape: boolean) => boolean;

  constructor(private readonly guardrail: Guardrail) {
    this.mayMatch = recordPrefilter(guardrail);
  }

  async scanFile(file: string): Promise<SourceResult> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, "r");
    } catch (e) {
      return { ...emptyResult(file), error: describeError(e) };
    }
    try {
      return await this.scan(file, readChunks(handle));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async scan(name: string, source: AsyncIterable<Buffer>): Promise<SourceResult> {
    const result = emptyResult(name);
    const onRecord = (bytes: Buffer, kind: RecordKind, hasU: boolean): void => {
      result.records++;
      if (kind !== "object") {
        this.invalid(result, `record ${result.records} is not a JSON object`);
        return;
      }
      if (!this.mayMatch(bytes, hasU)) return;
      let record: unknown;
      try {
        record = JSON.parse(bytes.toString("utf8"));
      } catch (e) {
        this.invalid(result, `record ${result.records} is not valid JSON: ${(e as Error).message}`);
        return;
      }
      if (!isRecordObject(record)) {
        this.invalid(result, `record ${result.records} is not a JSON object`);
        return;
      }
      const evaluation = evaluateRecord(this.guardrail, record);
      if ("finding" in evaluation) result.findings.push(evaluation.finding);
      else if (evaluation.skip === "invalid-record") this.invalid(result, evaluation.reason ?? "invalid record");
    };
    const splitter = new RecordSplitter(onRecord);
    try {
      for await (const chunk of decodedChunks(source)) {
        result.bytes += chunk.length;
        splitter.push(chunk);
      }
      splitter.end();
      if (splitter.topLevelValues === 0)
        result.error = result.bytes === 0 ? "empty input (no JSON value)" : "no JSON value";
    } catch (e) {
      result.error = describeError(e);
    }
    return result;
  }

  private invalid(result: SourceResult, reason: string): void {
    result.invalid++;
    if (result.invalidSamples.length < MAX_INVALID_SAMPLES) result.invalidSamples.push(reason);
  }
}

export function emptyResult(name: string): SourceResult {
  return { name, bytes: 0, records: 0, invalid: 0, invalidSamples: [], findings: [] };
}

async function* readChunks(handle: fs.promises.FileHandle): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
    if (bytesRead === 0) return;
    yield bytesRead === READ_CHUNK ? buffer : buffer.subarray(0, bytesRead);
  }
}

/** A short reason for people: the errno code for file errors, zlib's wording for gzip errors. */
export function describeError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file or directory";
  if (err?.code === "EACCES") return "permission denied";
  if (err?.code === "EISDIR") return "is a directory";
  if (err?.code === "Z_BUF_ERROR" || err?.code === "Z_DATA_ERROR") return `corrupt or truncated gzip: ${err.message}`;
  if (err?.name === "MalformedJsonError") return `malformed JSON: ${err.message}`;
  return err?.message ?? String(e);
}
