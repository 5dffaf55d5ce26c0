/**
 * Reading an input file as a scan does: a small file whole (a gzip one inflated in one call), any
 * other in chunks. scan-source.ts scans what these read; record-reread.ts reads records again.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { isGzip } from "./decode";

/**
 * Measured with bench/detect.ts: 64 KiB reads and 32 KiB inflate chunks peak ~60-90 MB lower than 1 MiB/256 KiB (freed
 * native buffers stay with the allocator), at the same speed.
 */
const READ_CHUNK = 64 * 1024;
/**
 * Small files (CloudTrail writes a few MB at most) are read whole, synchronously, and a gzip one
 * inflated in one synchronous call: each asynchronous step costs a thread-pool round trip, which
 * left the scan mostly idle (measured with CPU profiles of bench:detect's archive); a scan thread
 * has nothing else to do meanwhile. The output limit keeps memory bounded: a larger output is
 * streamed instead.
 */
const WHOLE_FILE_MAX = 16 * 1024 * 1024;
const INFLATE_IN_MEMORY_MAX = 64 * 1024 * 1024;

/**
 * A small file read whole (readSmallFile): a gzip one inflated when it inflates in one call
 * (`inflated`), else its bytes as read (a damaged gzip is streamed, which names the damage). The scan
 * and the reading again both start here, so the text whose offsets a scan records is the text read again.
 */
export function readSmallInput(file: string): { data: Buffer; inflated: boolean } | undefined {
  const whole = readSmallFile(file);
  if (!whole) return undefined;
  const inflated = isGzip(whole) ? inflateWhole(whole) : undefined;
  return { data: inflated ?? whole, inflated: inflated !== undefined };
}

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
export async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

export async function* readChunks(handle: fs.promises.FileHandle): AsyncGenerator<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
    if (bytesRead === 0) return;
    yield bytesRead === READ_CHUNK ? buffer : buffer.subarray(0, bytesRead);
  }
}
