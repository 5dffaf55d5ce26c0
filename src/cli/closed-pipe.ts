/**
 * What a failed write to stdout means for a command line.
 * - `bedrock-guardrail detect ... | head`: a reader that stops early closes the pipe, and the next
 *   write fails with EPIPE. Node reports that as an unhandled 'error' event with a stack trace; it
 *   only means nobody wants the rest of the output, so the process ends quietly with the exit code
 *   it already had.
 * - Any other write error (`> /dev/full`: no space left on the device) means the output is lost: one
 *   line on stderr and exit 1 at once, so no summary claims a success that was not written.
 */
import * as fs from "node:fs";
import { errorText } from "../errors/error-text";
import { EXIT } from "./exit-codes";
import { linePrefix } from "./report";

export type ExitFn = (code: number) => void;

export function closedPipeListener(
  exit: ExitFn,
  exitCode: () => number | string | null | undefined = () => process.exitCode,
  stderr: { write(s: string): unknown } = process.stderr,
): (error: NodeJS.ErrnoException) => void {
  return (error) => {
    if (error.code === "EPIPE") return exit(Number(exitCode() ?? 0));
    stderr.write(`${linePrefix()}: cannot write the output: ${errorText(error)}\n`);
    exit(EXIT.INCOMPLETE);
  };
}

/** Installs the listener on stdout once (main may run more than once in one process, as in tests). */
export function exitQuietlyOnClosedStdout(
  stdout: NodeJS.WriteStream = process.stdout,
  exit: ExitFn = (code) => process.exit(code),
): void {
  const marker = Symbol.for("bedrock-guardrail.closed-pipe");
  const tagged = stdout as NodeJS.WriteStream & { [marker]?: boolean };
  if (tagged[marker]) return;
  tagged[marker] = true;
  const listener = closedPipeListener(exit);
  stdout.on("error", listener);
  reportFileWriteErrorsAtOnce(stdout, listener);
}

/**
 * Node writes a file or device on stdout synchronously but emits the write's error a tick later, after
 * whatever the command writes next (its summary on stderr, which then claims output that was lost).
 * For such a stdout each write is made here, synchronously, and a failure is reported at that write.
 * Only Node's own write is replaced: a write someone else installed on the stream (a host that embeds
 * the CLI, a test capturing the output) stays theirs, or the output would bypass it.
 */
function reportFileWriteErrorsAtOnce(stdout: NodeJS.WriteStream, onError: (e: NodeJS.ErrnoException) => void): void {
  const fd = (stdout as { fd?: unknown }).fd;
  if (typeof fd !== "number" || stdout.isTTY || Object.hasOwn(stdout, "write")) return;
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch {
    return;
  }
  if (!st.isFile() && !st.isCharacterDevice()) return;
  stdout.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === "function" ? encoding : callback) as ((e?: Error) => void) | undefined;
    const bytes =
      typeof chunk === "string"
        ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8")
        : chunk;
    try {
      for (let written = 0; written < bytes.length; )
        written += fs.writeSync(fd, bytes, written, bytes.length - written);
    } catch (e) {
      onError(e as NodeJS.ErrnoException);
      done?.(e as Error);
      return false;
    }
    done?.();
    return true;
  }) as typeof stdout.write;
}
