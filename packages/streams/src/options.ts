import { InvalidArgumentError, quote } from '@tributary/core';
import { isLogger, KafkaClient, KafkaLogTransport, stderrLogger, type KafkaClientOptions, type Logger, type LogTransport } from '@tributary/kafka';
import type { StreamCodec } from './stream-service.js';
import { DEFAULT_STREAMS_PREFIX, streamTopics, type StreamTopics } from './topics.js';

/** Options of {@link createStreams}. */
export interface StreamsOptions {
  /** Connection options of the Kafka layer (brokers, TLS, SASL...) or a client already made. */
  connection?: KafkaClient | KafkaClientOptions;
  /** Instead of `connection`: another log, such as a `MemoryLogTransport` for unit tests. */
  transport?: LogTransport;
  /** Prefix of the streams topics (see {@link ensureStreamTopics}). Default `tributary.streams`. */
  prefix?: string;
  /** How messages are written. Default: the seed's JSON encoding with its class registry (`JsonStreamCodec`). */
  codec?: StreamCodec;
  /** Codecs to read records other writers wrote with, by name (the writing codec is always known). */
  readCodecs?: readonly StreamCodec[];
  /** Default bound of each listener's queue (see `ListenOptions.maxQueued`). Default 10000. */
  maxQueued?: number;
  /** Where logs go (pino fits). Default: warnings and errors to stderr. */
  logger?: Logger;
}

export interface ResolvedStreamsOptions {
  readonly transport: LogTransport;
  readonly topics: StreamTopics;
  readonly codec: StreamCodec | undefined;
  readonly readCodecs: readonly StreamCodec[];
  readonly maxQueued: number;
  readonly logger: Logger;
}

/** Check options once, at construction. @throws InvalidArgumentError naming the option and what it should be. */
export function resolveStreamsOptions(o: StreamsOptions): ResolvedStreamsOptions {
  if (typeof o !== 'object' || o === null) fail('options', 'an object with `connection` or `transport`', o);
  if ((o.connection === undefined) === (o.transport === undefined)) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient, or else a `transport` (one of the two)', o.connection);
  if (o.transport !== undefined && typeof o.transport?.connect !== 'function') fail('transport', 'a LogTransport (KafkaLogTransport, MemoryLogTransport)', o.transport);
  const prefix = o.prefix ?? DEFAULT_STREAMS_PREFIX;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(prefix)) fail('prefix', 'letters, digits, ".", "_" and "-" (it starts topic names)', prefix);
  for (const [i, c] of [o.codec, ...(o.readCodecs ?? [])].entries()) {
    if (c !== undefined && (typeof c?.encode !== 'function' || typeof c?.decode !== 'function' || typeof c?.name !== 'string')) fail(i === 0 ? 'codec' : `readCodecs[${i - 1}]`, 'a StreamCodec ({ name, encode, decode })', c);
  }
  const maxQueued = o.maxQueued ?? 10_000;
  if (!Number.isInteger(maxQueued) || maxQueued < 1) fail('maxQueued', 'a positive integer', maxQueued);
  if (o.logger !== undefined && !isLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  const logger = o.logger ?? stderrLogger;
  const transport =
    o.transport ??
    new KafkaLogTransport(KafkaClient.from(o.connection!, { clientId: 'tributary-streams', optionPath: 'connection', logger }));
  return { transport, topics: streamTopics(prefix), codec: o.codec, readCodecs: o.readCodecs ?? [], maxQueued, logger };
}

function fail(option: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`Streams option ${option} is ${quote(value)}; expected ${expected}`, { option, value, expected });
}
