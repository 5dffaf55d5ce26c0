/**
 * A small interpreter of exactly the Logs Insights subset this project generates, with the
 * semantics the CloudWatch Logs documentation gives (and nothing it leaves open):
 *
 * - `filter` over `and`, `or`, parentheses, `f = "s"`, `f in ["a", ...]`, `isblank(f)` (missing, empty
 *   or white space), `ispresent(f)`, `f like /^prefix/`, `false`, and `f >= n` on a number after `stats`;
 *   `ispresent` is true for a string, number or boolean leaf only: Logs Insights flattens an object or
 *   an array into deeper fields, and how it treats a JSON null is not documented (taken as absent, the
 *   reading under which a pre-filter that asks for presence drops the most);
 * - `fields expr as name, ...` (or a field alone) with a field, `coalesce(f, ...)` (the first non-null) or
 *   `substr(f, start, length)` (0-based, as the documented example `substr("xyZfooxyZ", 3, 3)` = "foo");
 * - `stats count(*) as n, min(f) as a, max(f) as b by x, y` (min and max of ISO-8601 text, compared as
 *   text: the order of the times);
 * - `sort f asc` and `limit n`.
 *
 * Fields are read from the record by their dotted path, as Logs Insights discovers CloudTrail's JSON
 * fields. Anything else in a query throws: a generated query outside the subset fails the test instead
 * of being read loosely.
 */
import type { CloudTrailRecord } from "../../../../src/detection/record";

type Value = string | number | undefined;

/** A row: fields computed by the query, else the record's own (read by dotted path). */
class Row {
  constructor(
    readonly computed: Map<string, Value>,
    /** The event the row is (undefined after `stats`). */
    readonly record?: CloudTrailRecord,
  ) {}
  get(name: string): Value {
    return this.computed.has(name) ? this.computed.get(name) : this.record && fieldOf(this.record, name);
  }
  /**
   * The JSON value at a field's dotted path in the event, whatever its type (for ispresent); a computed field's
   * value where there is no event or the event has nothing there (`fields f` copies only strings and numbers).
   */
  leaf(name: string): unknown {
    if (!this.record) return this.computed.get(name);
    let node: unknown = this.record;
    for (const key of name.split(".")) {
      if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node ?? this.computed.get(name);
  }
  with(more: [string, Value][]): Row {
    return new Row(new Map([...this.computed, ...more]), this.record);
  }
}

function fieldOf(record: CloudTrailRecord, path: string): Value {
  // Assumed, as the tests' time ranges assume: the log event's time is the record's eventTime.
  if (path === "@timestamp") return fieldOf(record, "eventTime");
  let node: unknown = record;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "string" || typeof node === "number" ? node : undefined;
}

/** Tokens: strings, regexes, numbers, words (fields, keywords, functions) and punctuation. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]*)"|\/\^[^/]*\/|\d+|[A-Za-z_@][A-Za-z0-9_.@]*|>=|[()[\],=*])/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) throw new Error(`insights interpreter: cannot read ${JSON.stringify(text.slice(at, at + 30))}`);
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: string[]) {}
  peek(): string | undefined {
    return this.tokens[this.at];
  }
  next(): string {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new Error("insights interpreter: unexpected end of query");
    return t;
  }
  expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new Error(`insights interpreter: expected ${t}, got ${got}`);
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
}

type Predicate = (row: Row) => boolean;

const unquote = (t: string): string => {
  if (!t.startsWith('"')) throw new Error(`insights interpreter: expected a string, got ${t}`);
  return t.slice(1, -1);
};

function parseOr(p: Parser): Predicate {
  const parts = [parseAnd(p)];
  while (p.peek() === "or") {
    p.next();
    parts.push(parseAnd(p));
  }
  return (row) => parts.some((f) => f(row));
}

function parseAnd(p: Parser): Predicate {
  const parts = [parseAtom(p)];
  while (p.peek() === "and") {
    p.next();
    parts.push(parseAtom(p));
  }
  return (row) => parts.every((f) => f(row));
}

function parseAtom(p: Parser): Predicate {
  const t = p.next();
  if (t === "(") {
    const inner = parseOr(p);
    p.expect(")");
    return inner;
  }
  if (t === "false") return () => false;
  if (t === "ispresent") {
    p.expect("(");
    const f = p.next();
    p.expect(")");
    return (row) => {
      const v = row.leaf(f);
      return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
    };
  }
  if (t === "isblank") {
    p.expect("(");
    const f = p.next();
    p.expect(")");
    return (row) => {
      const v = row.get(f);
      return v === undefined || String(v).trim() === "";
    };
  }
  const op = p.next();
  if (op === "=") {
    const want = unquote(p.next());
    return (row) => row.get(t) === want;
  }
  if (op === "in") {
    p.expect("[");
    const values = new Set<string>();
    for (;;) {
      values.add(unquote(p.next()));
      if (p.next() === "]") break;
    }
    return (row) => typeof row.get(t) === "string" && values.has(row.get(t) as string);
  }
  if (op === "like") {
    const re = new RegExp(p.next().slice(1, -1));
    return (row) => typeof row.get(t) === "string" && re.test(row.get(t) as string);
  }
  if (op === ">=") {
    const n = Number(p.next());
    return (row) => typeof row.get(t) === "number" && (row.get(t) as number) >= n;
  }
  throw new Error(`insights interpreter: unknown operator ${op}`);
}

type Expr = (row: Row) => Value;

function parseExpr(p: Parser): Expr {
  const t = p.next();
  if (t === "coalesce" || t === "substr") {
    p.expect("(");
    const args: string[] = [];
    for (;;) {
      args.push(p.next());
      if (p.next() === ")") break;
    }
    if (t === "coalesce") return (row) => args.map((a) => row.get(a)).find((v) => v !== undefined);
    const [field, start, length] = [args[0], Number(args[1]), Number(args[2])];
    return (row) => {
      const v = row.get(field);
      return v === undefined ? undefined : String(v).substr(start, length);
    };
  }
  return (row) => row.get(t);
}

/** The names and expressions of a `fields` or `stats` list: `expr as name, ...` up to `by` or the end. */
function aliasList<T>(p: Parser, item: (p: Parser) => T): [string, T][] {
  const out: [string, T][] = [];
  for (;;) {
    const start = p.peek()!;
    const value = item(p);
    // A field listed alone keeps its name (`fields eventID, ...`).
    if (p.peek() === "as") {
      p.next();
      out.push([p.next(), value]);
    } else out.push([start, value]);
    if (p.peek() !== ",") return out;
    p.next();
  }
}

type Aggregate = { fn: string; field?: string };

function parseAggregate(p: Parser): Aggregate {
  const fn = p.next();
  p.expect("(");
  const field = p.next();
  p.expect(")");
  if (!["count", "min", "max"].includes(fn)) throw new Error(`insights interpreter: unknown aggregate ${fn}`);
  return { fn, field: field === "*" ? undefined : field };
}

function stats(rows: Row[], aggregates: [string, Aggregate][], by: string[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = JSON.stringify(by.map((b) => row.get(b) ?? null));
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((members) => {
    const out = new Map<string, Value>(by.map((b) => [b, members[0].get(b)]));
    for (const [name, { fn, field }] of aggregates) {
      const values = field ? members.map((m) => m.get(field)).filter((v) => v !== undefined) : members;
      if (fn === "count") out.set(name, values.length);
      else out.set(name, (values as Value[]).map(String).sort()[fn === "min" ? 0 : values.length - 1]);
    }
    return new Row(out);
  });
}

/** Runs the query over the records (the events StartQuery's time range selected). */
export function runInsightsQuery(query: string, records: readonly CloudTrailRecord[]): Row[] {
  let rows = records.map((r) => new Row(new Map(), r));
  for (const command of query.split("\n| ")) {
    const p = new Parser(tokenize(command));
    const verb = p.next();
    if (verb === "filter") {
      const predicate = parseOr(p);
      rows = rows.filter(predicate);
    } else if (verb === "fields") {
      const list = aliasList(p, parseExpr);
      rows = rows.map((row) => row.with(list.map(([name, expr]): [string, Value] => [name, expr(row)])));
    } else if (verb === "stats") {
      const aggregates = aliasList(p, parseAggregate);
      p.expect("by");
      const by = [p.next()];
      while (p.peek() === ",") {
        p.next();
        by.push(p.next());
      }
      rows = stats(rows, aggregates, by);
    } else if (verb === "sort") {
      const field = p.next();
      p.expect("asc");
      rows = [...rows].sort((a, b) => String(a.get(field)).localeCompare(String(b.get(field))));
    } else if (verb === "limit") {
      rows = rows.slice(0, Number(p.next()));
    } else throw new Error(`insights interpreter: unknown command ${verb}`);
    if (!p.done()) throw new Error(`insights interpreter: unread ${p.peek()} in ${command}`);
  }
  return rows;
}

/** A row as GetQueryResults returns it. */
export const asResultRow = (row: Row): { field: string; value: string }[] =>
  [...row.computed].flatMap(([field, value]) => (value === undefined ? [] : [{ field, value: String(value) }]));
