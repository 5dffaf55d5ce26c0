/**
 * Turns raw input bytes into JSON text bytes: gzip is recognised by its magic number (1f 8b), not
 * by the file name, so `.json` files that are really gzipped (and the reverse) both work.
 * Concatenated gzip members (what `cat a.gz b.gz` makes) are decoded as one stream.
 */
import { Readable, pipeline } from "node:stream";
import * as zlib from "node:zlib";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** See READ_CHUNK in scan-source.ts for why the chunks are small (peak RSS). */
const INFLATE_CHUNK = 32 * 1024;

export function isGzip(firstBytes: Buffer): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === GZIP_MAGIC_0 && firstBytes[1] === GZIP_MAGIC_1;
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * Decoded chunks of `source`. Errors of the source or of the inflater (corrupt or truncated gzip)
 * surface as a rejected iteration.
 */
export async function* decodedChunks(
  source: AsyncIterable<Buffer>,
  onFormat?: (format: "gzip" | "plain") => void,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  do {
    first = await it.next();
  } while (!first.done && first.value.length === 0);
  if (first.done) return;
  let head = first.value;
  if (head.length === 1) {
    // Two bytes are needed to recognise gzip; a 1-byte first chunk only happens on stdin.
    const second = await it.next();
    if (!second.done) head = Buffer.concat([head, second.value]);
  }
  onFormat?.(isGzip(head) ? "gzip" : "plain");
  if (!isGzip(head)) {
    yield* prepend(head, it);
    return;
  }
  const gunzip = zlib.createGunzip({ chunkSize: INFLATE_CHUNK });
  pipeline(Readable.from(prepend(head, it), { objectMode: false }), gunzip, () => {
    /* errors reach the consumer through gunzip's iterator */
  });
  for await (const chunk of gunzip) yield chunk as Buffer;
}
