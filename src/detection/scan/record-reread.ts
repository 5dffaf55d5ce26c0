/**
 * Reads again, from the files a scan read, the records of the correlation events a finding cites:
 * the scan kept only where each record is (compact.ts says why). Each file is read once, the way
 * the scan read it (read-input.ts), and only as far as its last wanted record.
 *
 * A file can change between the scan and the reading (a log shipper still writing): a record
 * whose text is no longer there, or names another eventID, is not guessed at. The finding keeps the
 * fields the scan already knew, and the file is reported.
 */
import * as fs from "node:fs";
import { errorText } from "../../errors/error-text";
import type { CorrelatedEvent } from "../correlation/event";
import { type RecordLocation, supplyRecord, type UnreadRecord, unreadRecordOf } from "../correlation/compact";
import { asString, type CloudTrailRecord, isoTimeOf, isRecordObject } from "../record";
import { decodedChunks } from "./decode";
import { once, readChunks, readSmallInput } from "./read-input";

/** The file's decoded text in chunks, as the scan read it; `close` releases what was opened. */
async function decoded(file: string): Promise<{ chunks: AsyncIterable<Buffer>; close: () => Promise<void> }> {
  const whole = readSmallInput(file);
  if (whole) {
    const chunks = whole.inflated ? once(whole.data) : decodedChunks(once(whole.data));
    return { chunks, close: async () => undefined };
  }
  // Not opened unless it is still a regular file: opening a named pipe waits for a writer.
  if (!fs.statSync(file).isFile()) throw new Error("it is no longer a regular file");
  const handle = await fs.promises.open(file, "r");
  return { chunks: decodedChunks(readChunks(handle)), close: () => handle.close().catch(() => undefined) };
}

/** The bytes of each wanted range (by offset) of the file's decoded text; a range past its end is left out. */
async function readRanges(file: string, wanted: readonly RecordLocation[]): Promise<Map<number, Buffer>> {
  if (wanted.length === 0) return new Map();
  const input = await decoded(file);
  try {
    return await rangesOf(input.chunks, wanted);
  } finally {
    await input.close();
  }
}

/** The bytes of each wanted range (by offset) of a text read in chunks, read only as far as the last one. */
export async function rangesOf(
  chunks: AsyncIterable<Buffer>,
  wanted: readonly RecordLocation[],
): Promise<Map<number, Buffer>> {
  const byOffset = new Map(wanted.map((r) => [r.offset, r]));
  const ranges = [...byOffset.values()].sort((a, b) => a.offset - b.offset);
  const out = new Map<number, Buffer>();
  // The parts read so far of ranges that straddle chunks, by offset.
  const open = new Map<number, Buffer[]>();
  let position = 0;
  let next = 0;
  if (ranges.length === 0) return out;
  for await (const chunk of chunks) {
    const end = position + chunk.length;
    for (let r = next; r < ranges.length && ranges[r].offset < end; r++) {
      const { offset, length } = ranges[r];
      if (out.has(offset) || offset + length <= position) continue;
      const part = chunk.subarray(Math.max(0, offset - position), Math.min(chunk.length, offset + length - position));
      const parts = [...(open.get(offset) ?? []), part];
      if (offset + length <= end) {
        out.set(offset, Buffer.concat(parts));
        open.delete(offset);
      } else open.set(offset, parts);
    }
    while (next < ranges.length && out.has(ranges[next].offset)) next++;
    position = end;
    if (next === ranges.length) break;
  }
  return out;
}

/** What the scan knew of the event, as a record: what a finding shows when its record cannot be read again. */
function knownFields(event: CorrelatedEvent): CloudTrailRecord {
  return {
    eventID: event.id,
    eventTime: isoTimeOf(event.timeMs),
    ...(event.eventName ? { eventName: event.eventName } : {}),
    ...(event.awsRegion ? { awsRegion: event.awsRegion } : {}),
    ...(event.modelId ? { requestParameters: { modelId: event.modelId } } : {}),
  };
}

function parsedRecord(bytes: Buffer | undefined, id: string): CloudTrailRecord | undefined {
  if (!bytes) return undefined;
  try {
    const record: unknown = JSON.parse(bytes.toString("utf8"));
    return isRecordObject(record) && asString(record.eventID) === id ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Gives each event whose record was left in its file that record, read again. Returns one problem
 * per file that could not be read or no longer holds a record (its events keep knownFields).
 */
export async function rereadRecords(events: readonly CorrelatedEvent[]): Promise<{ file: string; reason: string }[]> {
  const byFile = new Map<string, { event: CorrelatedEvent; at: UnreadRecord }[]>();
  for (const event of events) {
    const at = unreadRecordOf(event);
    if (!at) continue;
    const list = byFile.get(at.source) ?? [];
    if (list.length === 0) byFile.set(at.source, list);
    list.push({ event, at });
  }
  const problems: { file: string; reason: string }[] = [];
  for (const [file, wanted] of byFile) {
    let texts = new Map<number, Buffer>();
    let reason: string | undefined;
    try {
      texts = await readRanges(
        file,
        wanted.map((w) => w.at),
      );
    } catch (e) {
      reason = `cannot be read again: ${errorText(e)}`;
    }
    let changed = 0;
    for (const { event, at } of wanted) {
      const record = parsedRecord(texts.get(at.offset), event.id);
      if (!record) changed++;
      supplyRecord(event, record ?? knownFields(event));
    }
    if (reason === undefined && changed > 0)
      reason = `changed since it was scanned (${changed} record(s) a finding cites)`;
    if (reason !== undefined) problems.push({ file, reason });
  }
  return problems;
}
