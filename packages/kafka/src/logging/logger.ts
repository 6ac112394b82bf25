/**
 * The logger every Tributary component writes to. Its shape is pino's (and bunyan's): a structured object first,
 * then the message, so a pino logger can be passed as it is. Components log at `info` what an operator wants to
 * see (joins, partitions assigned and revoked, dead-lettered records, stops), at `warn` what needs a look (a
 * dead-letter write that failed, a partition that cannot progress), at `error` what lost work or liveness, and
 * at `debug` the rest (the Kafka client's own info lines among them).
 */
export interface Logger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything: pass it to choose silence. */
export const silentLogger: Logger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

/**
 * The default: warnings and errors go to stderr as one JSON line each (pino's field names: `level`, `time`,
 * `msg`), as pino users expect of a library left unconfigured; debug and info are dropped. A partition that
 * cannot progress is never silent by default.
 */
export const stderrLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn: (obj: Record<string, unknown>, msg: string) => writeLine(40, obj, msg),
  error: (obj: Record<string, unknown>, msg: string) => writeLine(50, obj, msg),
});

function writeLine(level: number, obj: Record<string, unknown>, msg: string): void {
  let line: string;
  try {
    line = JSON.stringify({ level, time: Date.now(), ...obj, msg }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    line = JSON.stringify({ level, time: Date.now(), msg });
  }
  process.stderr.write(`${line}\n`);
}

/** True when `value` has the four methods of a {@link Logger}. */
export function isLogger(value: unknown): value is Logger {
  const l = value as Partial<Logger> | null;
  return typeof l === 'object' && l !== null && ['debug', 'info', 'warn', 'error'].every((m) => typeof (l as Record<string, unknown>)[m] === 'function');
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
