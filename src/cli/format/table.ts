import { printable } from "../../errors/printable";

/** Fitting a table into a terminal: its width, and the columns that may be cut (widest first) to get there. */
export interface TableFit {
  width: number;
  /** Column index and how much it keeps relative to the others (2: cut half as much as a column of 1). */
  shrinkable: { column: number; keep: number }[];
}

/** Narrowest a cut column becomes. */
const MIN_CUT_WIDTH = 12;

/** `text` in `width` characters, cut in the middle (an ARN's account and its name both stay visible). */
function cutMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 3);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/**
 * Column widths narrowed one character at a time, always the widest shrinkable column (by its width
 * over what it keeps), until the table fits or none can give more.
 */
function fitWidths(widths: number[], fit: TableFit): number[] {
  const out = [...widths];
  let excess = out.reduce((a, b) => a + b, 0) + 2 * (out.length - 1) - fit.width;
  while (excess > 0) {
    const next = fit.shrinkable
      .filter(({ column }) => out[column] > MIN_CUT_WIDTH)
      .sort((a, b) => out[b.column] / b.keep - out[a.column] / a.keep)[0];
    if (next === undefined) break;
    out[next.column]--;
    excess--;
  }
  return out;
}

/**
 * A plain-text table for terminals: left-aligned columns, two spaces apart, header underlined. With
 * `fit`, the shrinkable columns are cut in the middle so that the lines fit the terminal's width.
 * Cells come from records (a model id is whatever the caller sent): a control character in one is
 * shown escaped, so it can neither add a row nor send the terminal an escape sequence.
 */
export function renderTable(headers: string[], cells: string[][], fit?: TableFit): string {
  let rows = cells.map((r) => r.map(printable));
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const widths = fit ? fitWidths(natural, fit) : natural;
  if (fit) rows = rows.map((r) => r.map((c, i) => cutMiddle(c, widths[i])));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n")}\n`;
}
