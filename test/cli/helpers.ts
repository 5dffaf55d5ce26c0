import type { Output } from "../../src/cli/format/output";

/** An Output that keeps what a command prints, for commands that take one (check, policy). */
export function captureOutput(): { io: Output; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}
