/**
 * `bedrock-guardrail detect ... | head`: a reader that stops early closes the pipe, and the next
 * write fails with EPIPE. Node reports that as an unhandled 'error' event with a stack trace; for
 * a command line it only means nobody wants the rest of the output, so the process ends quietly
 * with the exit code it already had.
 */
export type ExitFn = (code: number) => void;

export function closedPipeListener(
  exit: ExitFn,
  exitCode: () => number | string | undefined = () => process.exitCode,
): (error: NodeJS.ErrnoException) => void {
  return (error) => {
    if (error.code !== "EPIPE") throw error;
    exit(Number(exitCode() ?? 0));
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
