import type { Registry } from 'prom-client';
import { InvalidArgumentError, quote } from '@tributary/core';
import { isLogger, KafkaClient, KafkaLogTransport, stderrLogger, type KafkaClientOptions, type Logger, type LogTransport } from '@tributary/kafka';
import { DEFAULT_MESSAGING_PREFIX, messagingTopics, type MessagingTopics } from './topics.js';

/** Options of {@link createMessaging}: where Kafka is (or another transport), and how sessions behave. */
export interface MessagingOptions {
  /** Connection options of the Kafka layer (brokers, TLS, SASL...) or a client already made. */
  connection?: KafkaClient | KafkaClientOptions;
  /** Instead of `connection`: another log, such as a `MemoryLogTransport` for unit tests. */
  transport?: LogTransport;
  /** Prefix of the messaging topics (see {@link ensureMessagingTopics}). Default `tributary.messaging`. */
  prefix?: string;
  /** How often each session announces it is alive. Default 2000 ms. */
  heartbeatMs?: number;
  /** A session silent for longer than this is gone for everyone. At least twice `heartbeatMs`. Default 10000 ms. */
  sessionTimeoutMs?: number;
  /** Default deadline of a request, when the call gives none. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Requests handled at once by the sessions of this hub; further requests wait to be read. Default 256. */
  maxConcurrentHandlers?: number;
  /** Longest a closing session waits for its handlers at work to answer (never past their deadlines). Default 5000 ms. */
  closeTimeoutMs?: number;
  /**
   * How many requests to a path, sent in one turn of the event loop, go to the same handler session before the
   * next session's turn. 1 (the default): each request goes to the session with the fewest of this hub's requests
   * waiting on it, the next in turn among equals, so a burst spreads over every handler and a slow one gets fewer.
   * More trades that for throughput, as Kafka's sticky partitioner does: each handler gets a burst's requests in
   * fewer, larger Kafka requests, whatever is waiting where (measured with 4 responder processes and 64 requests
   * in flight: about 1.2 times the requests/s of the default at 32). Requests sent turn after turn still go
   * round every session.
   */
  stickyRequests?: number;
  /** Where logs go (pino fits). Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Prometheus metrics on this registry (see `MessagingMetricNames`). */
  metrics?: { registry: Registry };
}

export interface ResolvedMessagingOptions {
  readonly transport: LogTransport;
  readonly topics: MessagingTopics;
  readonly heartbeatMs: number;
  readonly sessionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConcurrentHandlers: number;
  readonly closeTimeoutMs: number;
  readonly stickyRequests: number;
  readonly logger: Logger;
  readonly metrics: { registry: Registry } | undefined;
}

/** Check options once, at construction. @throws InvalidArgumentError naming the option and what it should be. */
export function resolveMessagingOptions(o: MessagingOptions): ResolvedMessagingOptions {
  if (typeof o !== 'object' || o === null) fail('options', 'an object with at least `connection`', o);
  if ((o.connection === undefined) === (o.transport === undefined)) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient, or else a `transport` (one of the two)', o.connection);
  if (o.connection !== undefined && (typeof o.connection !== 'object' || o.connection === null)) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient', o.connection);
  if (o.transport !== undefined && typeof o.transport?.connect !== 'function') fail('transport', 'a LogTransport (KafkaLogTransport, MemoryLogTransport)', o.transport);
  const prefix = o.prefix ?? DEFAULT_MESSAGING_PREFIX;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(prefix)) fail('prefix', 'letters, digits, ".", "_" and "-" (it starts topic names)', prefix);
  const heartbeatMs = int(o.heartbeatMs, 'heartbeatMs', 2000, 50, 600_000);
  const sessionTimeoutMs = int(o.sessionTimeoutMs, 'sessionTimeoutMs', 10_000, 100, 3_600_000);
  if (sessionTimeoutMs < 2 * heartbeatMs) fail('sessionTimeoutMs', `at least twice heartbeatMs (${heartbeatMs}), so one lost heartbeat does not end a session`, sessionTimeoutMs);
  const requestTimeoutMs = int(o.requestTimeoutMs, 'requestTimeoutMs', 30_000, 1, 86_400_000);
  const maxConcurrentHandlers = int(o.maxConcurrentHandlers, 'maxConcurrentHandlers', 256, 1, 100_000);
  const closeTimeoutMs = int(o.closeTimeoutMs, 'closeTimeoutMs', 5000, 0, 3_600_000);
  const stickyRequests = int(o.stickyRequests, 'stickyRequests', 1, 1, 10_000);
  if (o.logger !== undefined && !isLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  if (o.metrics !== undefined && (typeof o.metrics !== 'object' || typeof o.metrics?.registry?.registerMetric !== 'function')) fail('metrics.registry', 'a prom-client Registry', o.metrics);
  const logger = o.logger ?? stderrLogger;
  const transport = o.transport ?? new KafkaLogTransport(KafkaClient.from(o.connection!, { clientId: 'tributary-messaging', optionPath: 'connection', logger }));
  return { transport, topics: messagingTopics(prefix), heartbeatMs, sessionTimeoutMs, requestTimeoutMs, maxConcurrentHandlers, closeTimeoutMs, stickyRequests, logger, metrics: o.metrics };
}

function int(value: unknown, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(option, `an integer from ${min} to ${max}`, value);
  return value as number;
}

function fail(option: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`Messaging option ${option} is ${quote(value)}; expected ${expected}`, { option, value, expected });
}
