import { logLevel, type logCreator } from 'kafkajs';

/**
 * The logger the consumer writes to. Its shape is pino's (and bunyan's): a structured object first, then the
 * message, so a pino logger can be passed as it is. The consumer logs at `info` what an operator wants to see
 * (joins, partitions assigned and revoked, dead-lettered records, stops), at `warn` what needs a look (a
 * dead-letter write that failed, a commit that failed), at `error` what lost work or liveness, and at `debug`
 * the rest (kafkajs' own info lines among them).
 */
export interface ConsumerLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything: the default. */
export const silentLogger: ConsumerLogger = Object.freeze({ debug() {}, info() {}, warn() {}, error() {} });

/** True when `value` has the four methods of a {@link ConsumerLogger}. */
export function isConsumerLogger(value: unknown): value is ConsumerLogger {
  const l = value as Partial<ConsumerLogger> | null;
  return typeof l === 'object' && l !== null && ['debug', 'info', 'warn', 'error'].every((m) => typeof (l as Record<string, unknown>)[m] === 'function');
}

/**
 * kafkajs' logs into a {@link ConsumerLogger}: its errors and warnings as such, its (chatty) info as debug. Use
 * with `logLevel.INFO`.
 */
export function kafkajsLogCreator(logger: ConsumerLogger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...rest } = log;
    // The dead-letter producer bounds its retries on purpose (a missing topic must fail so the partition
    // pauses); it sends one awaited record at a time, so the ordering this warning is about cannot break.
    if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
    const obj = { ...rest, namespace, source: 'kafkajs' };
    // kafkajs logs every error answer of the broker at ERROR, also those it handles itself (a heartbeat told
    // the group is rebalancing, a commit refused while it does): what matters of them, the consumer logs.
    if (namespace === 'Connection' && message.startsWith('Response ')) logger.debug(obj, message);
    else if (level === logLevel.ERROR) logger.error(obj, message);
    else if (level === logLevel.WARN) logger.warn(obj, message);
    else logger.debug(obj, message);
  };
}

/** The message of an unknown thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
