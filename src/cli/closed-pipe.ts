/**
 * What a failed write to stdout means for a command line.
 * - `bedrock-guardrail detect ... | head`: a reader that stops early closes the pipe, and the next
 *   write fails with EPIPE. Node reports that as an unhandled 'error' event with a stack trace; it
 *   only means nobody wants the rest of the output, so the process ends quietly with the exit code
 *   it already had.
 * - Any other write error (`> /dev/full`: no space left on the device) means the output is lost: one
 *   line on stderr and exit 1 at once, so no summary claims a success that was not written.
 */
import { errorText } from "../errors/error-text";
import { EXIT } from "./exit-codes";

export type ExitFn = (code: number) => void;

export function closedPipeListener(
  exit: ExitFn,
  exitCode: () => number | string | null | undefined = () => process.exitCode,
  stderr: { write(s: string): unknown } = process.stderr,
): (error: NodeJS.ErrnoException) => void {
  return (error) => {
    if (error.code === "EPIPE") return exit(Number(exitCode() ?? 0));
    stderr.write(`bedrock-guardrail: cannot write the output: ${errorText(error)}\n`);
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
  stdout.on("error", closedPipeListener(exit));
}
