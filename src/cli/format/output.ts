/** The two text streams of a command that prints and returns an exit code (check, policy). */
export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processOutput: Output = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
