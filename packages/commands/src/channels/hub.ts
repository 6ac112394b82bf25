import { InvalidArgumentError, quote } from '@tributary/core';
import { isLogger, KafkaClient, KafkaLogTransport, stderrLogger, type KafkaClientOptions, type Logger, type LogTransport } from '@tributary/kafka';
import { createMessaging, Messaging, type MessagingOptions } from '@tributary/messaging';

/** Options of the messaging hub a component makes for itself (all but where the log is, which it shares). */
export type OwnHubOptions = Omit<MessagingOptions, 'connection' | 'transport' | 'logger'>;

/** Where a channel layer or signalling server runs: its log and its messaging hub. */
export interface HubOptions {
  /** Kafka connection options (brokers, TLS, SASL...) or a client already made. */
  connection?: KafkaClient | KafkaClientOptions;
  /** Instead of `connection`: another log, such as a `MemoryLogTransport` for unit tests. */
  transport?: LogTransport;
  /**
   * A messaging hub to open the session on (shared with the rest of the process; not closed with the component),
   * or options of one to make on the same log (closed with it). Default: one made with messaging's defaults.
   */
  messaging?: Messaging | OwnHubOptions;
  /** Where logs go (pino fits). Default: warnings and errors to stderr. */
  logger?: Logger;
}

/** {@link HubOptions} checked: the log, the hub, and whether the component closes the hub. */
export interface ResolvedHub {
  readonly transport: LogTransport;
  readonly messaging: Messaging;
  /** True when the hub was made here and is closed with its component. */
  readonly ownsMessaging: boolean;
  readonly logger: Logger;
}

/** Reports a wrong option: `option` named, what it should be, what it was. */
export type OptionFailure = (option: string, expected: string, value: unknown) => never;

/** An {@link OptionFailure} whose messages start with `what` ("Channel layer option", "Signalling server option"). */
export function optionFailure(what: string): OptionFailure {
  return (option, expected, value) => {
    throw new InvalidArgumentError(`${what} ${option} is ${quote(value)}; expected ${expected}`, { option, value, expected });
  };
}

/** Check `connection` / `transport` / `messaging` / `logger` and make what is missing. */
export function resolveHub(o: HubOptions, fail: OptionFailure): ResolvedHub {
  if (typeof o !== 'object' || o === null) fail('options', 'an object with `connection` or `transport`', o);
  if ((o.connection === undefined) === (o.transport === undefined)) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient, or else a `transport` (one of the two)', o.connection);
  if (o.connection !== undefined && (typeof o.connection !== 'object' || o.connection === null)) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient', o.connection);
  if (o.transport !== undefined && typeof o.transport?.connect !== 'function') fail('transport', 'a LogTransport (KafkaLogTransport, MemoryLogTransport)', o.transport);
  if (o.logger !== undefined && !isLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  if (o.messaging !== undefined && (typeof o.messaging !== 'object' || o.messaging === null)) fail('messaging', 'a Messaging hub, or options of one', o.messaging);
  const logger = o.logger ?? stderrLogger;
  const transport = o.transport ?? new KafkaLogTransport(KafkaClient.from(o.connection!, { clientId: 'tributary-channels', optionPath: 'connection', logger }));
  if (o.messaging instanceof Messaging) return { transport, messaging: o.messaging, ownsMessaging: false, logger };
  // Messaging checks its own options and names the wrong one.
  return { transport, messaging: createMessaging({ ...o.messaging, transport, logger }), ownsMessaging: true, logger };
}

/** An integer option within bounds, or its default. */
export function intOption(value: unknown, option: string, fallback: number, min: number, max: number, fail: OptionFailure): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(option, `an integer from ${min} to ${max}`, value);
  return value as number;
}

/** A topic prefix option, or its default. */
export function prefixOption(value: unknown, option: string, fallback: string, fail: OptionFailure): string {
  const prefix = value ?? fallback;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(prefix)) fail(option, 'letters, digits, ".", "_" and "-" (it starts topic names)', prefix);
  return prefix as string;
}
