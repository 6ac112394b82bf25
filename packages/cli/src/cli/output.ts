/** A row of output: plain values (bigints print as decimal text). */
export type Row = Record<string, unknown>;

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, jsonValue);
}

/**
 * Where a command's results go: a table for a person at a terminal, JSON lines (one object a line, for `jq`)
 * when stdout is piped or `--json` is given. Results go to stdout only; messages to the user go to stderr, so a
 * pipe carries nothing but data.
 */
export class Output {
  readonly json: boolean;
  readonly #out: NodeJS.WritableStream;

  constructor(options: { json?: boolean; stdout?: NodeJS.WritableStream & { isTTY?: boolean } } = {}) {
    const stdout = options.stdout ?? process.stdout;
    this.#out = stdout;
    this.json = options.json === true || !(stdout as { isTTY?: boolean }).isTTY;
  }

  /** Rows that are all known at once: a table with a header, or a JSON line each. */
  table(rows: readonly Row[], columns: readonly string[] = rows[0] ? Object.keys(rows[0]) : []): void {
    if (this.json) {
      for (const row of rows) this.line(row);
      return;
    }
    if (rows.length === 0) {
      this.#out.write('(none)\n');
      return;
    }
    const cells = rows.map((r) => columns.map((c) => cell(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
    const format = (values: readonly string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
    this.#out.write(`${format(columns.map((c) => c.toUpperCase()))}\n${cells.map(format).join('\n')}\n`);
  }

  /** One result as soon as it is known (an event consumed, an offset written): a JSON line, or `key value` cells. */
  line(row: Row, columns: readonly string[] = Object.keys(row)): void {
    if (this.json) this.#out.write(`${JSON.stringify(row, jsonValue)}\n`);
    else this.#out.write(`${columns.map((c) => cell(row[c])).filter((v) => v !== '').join('  ')}\n`);
  }

  /** Text for a person at a terminal (nothing is written in JSON mode). */
  text(text: string): void {
    if (!this.json) this.#out.write(text);
  }

  /** Key/value facts about one thing (a topic, a group): `key: value` lines, or one JSON object. */
  record(row: Row): void {
    if (this.json) {
      this.line(row);
      return;
    }
    const width = Math.max(...Object.keys(row).map((k) => k.length));
    for (const [k, v] of Object.entries(row)) this.#out.write(`${`${k}:`.padEnd(width + 2)}${cell(v)}\n`);
  }
}
