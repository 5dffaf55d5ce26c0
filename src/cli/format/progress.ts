/** A one-line progress bar for a TTY stream, redrawn at most every 100 ms and erased at the end. */
export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: { write(s: string): unknown; columns?: number },
    private readonly label: string,
  ) {}

  update(done: number, total: number, detail: string): void {
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - detail.length - 12));
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const pct = `${Math.floor(ratio * 100)}`.padStart(3);
    this.stream.write(`\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}% ${detail}\x1b[K`);
    this.drawn = true;
  }

  /** Progress without a known total (stdin): the count alone, redrawn at most every 100 ms. */
  status(detail: string): void {
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.stream.write(`\r${this.label} ${detail}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write("\r\x1b[K");
    this.drawn = false;
  }
}
