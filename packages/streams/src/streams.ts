import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import { asTributaryError, PartitionTail, type LogConnection } from '@tributary/kafka';
import { InvalidStreamNameError } from './errors.js';
import type { IndexEntry } from './index-view/index-entry.js';
import { StreamIndex } from './index-view/stream-index.js';
import { ListenerQueue } from './listening/listener-queue.js';
import { StreamListeners, type ListenerState } from './listening/stream-listeners.js';
import { resolveStreamsOptions, type ResolvedStreamsOptions, type StreamsOptions } from './options.js';
import { StreamPublisher } from './publishing/stream-publisher.js';
import { JsonStreamCodec } from './codec/json-stream-codec.js';
import { isValidStreamName } from './stream-name.js';
import type { ListenOptions, StreamCodec, StreamListener, StreamPosition, StreamService, StreamSubscription } from './stream-service.js';

interface Started {
  readonly connection: LogConnection;
  readonly index: StreamIndex;
  readonly publisher: StreamPublisher;
  readonly listeners: StreamListeners;
  readonly logTail: PartitionTail;
  readonly partitions: number;
}

/**
 * Keyed message streams on Kafka (seed 004): publish headers and messages to streams by name, and listen to a
 * stream from its current header with no gap and no duplicate after it. One hub per process serves every
 * stream: one writer, one reader of the index, one reader of the log partitions its listeners need (a
 * stream no one here listens to costs nothing). Topics must exist: see {@link ensureStreamTopics}.
 */
export class Streams implements StreamService, AsyncDisposable {
  readonly #o: ResolvedStreamsOptions;
  readonly #codec: StreamCodec;
  readonly #codecs = new Map<string, StreamCodec>();
  #started: Promise<Started> | undefined;
  #closed = false;

  /** @throws InvalidArgumentError naming a wrong option. */
  constructor(options: StreamsOptions) {
    this.#o = resolveStreamsOptions(options);
    // Classes this process does not register pass through as UnknownClassObject rather than fail: a hub relays.
    this.#codec = this.#o.codec ?? new JsonStreamCodec({ unknownClasses: 'keep' });
    for (const c of [...this.#o.readCodecs, this.#codec]) this.#codecs.set(c.name, c);
  }

  async setHeader(stream: string, message: unknown): Promise<void> {
    await this.#publish(stream, 'header', message);
  }

  async put(stream: string, message: unknown): Promise<void> {
    await this.#publish(stream, 'put', message);
  }

  async close(stream: string): Promise<void> {
    await this.#publish(stream, 'close', undefined);
  }

  async delete(stream: string): Promise<void> {
    await this.#publish(stream, 'close', undefined, { deleted: true });
  }

  /**
   * Add a listener (see {@link ListenOptions} for where it starts). It receives the header first (when it starts
   * from the header and the stream has one), then every later put in order, then `close`. A stream that does not
   * exist yet is waited for: the listener receives it from its first record.
   * @throws InvalidStreamNameError; InvalidArgumentError for a bad position; TributaryError when Kafka fails.
   */
  async listen(stream: string, listener: StreamListener, options: ListenOptions = {}): Promise<StreamSubscription> {
    checkName(stream);
    if (typeof listener?.put !== 'function') throw new InvalidArgumentError('A stream listener needs a put(delivery) method', { option: 'listener', expected: 'an object with put()' });
    const maxQueued = options.maxQueued ?? this.#o.maxQueued;
    if (!Number.isInteger(maxQueued) || maxQueued < 1) throw new InvalidArgumentError(`maxQueued must be a positive integer, got ${String(maxQueued)}`, { option: 'maxQueued', value: maxQueued });
    const s = await this.#start();
    const partition = s.publisher.partitionOf(stream);
    const entry = s.index.get(stream);
    const { next, recovered, header } = await this.#startPoint(s, stream, partition, entry, options.from ?? 'header');
    const dropped = { state: undefined as ListenerState | undefined };
    const queue = new ListenerQueue(listener, maxQueued, (reason) => {
      this.#o.logger.warn({ stream, reason }, 'Streams: a listener was dropped');
      if (dropped.state) s.listeners.remove(dropped.state);
    });
    // Only a listener waiting for a stream not in the index yet may move back to the stream's first record.
    const state: ListenerState = { stream, partition, listener, queue, next, epoch: entry?.epoch, started: entry !== undefined };
    dropped.state = state;
    if (header) queue.push(header);
    s.listeners.add(state);
    return { recovered, hangup: async () => s.listeners.remove(state) };
  }

  async hangup(stream: string | null, listener: StreamListener): Promise<void> {
    if (stream !== null) checkName(stream);
    const s = await this.#start();
    for (const state of s.listeners.find(stream, listener)) s.listeners.remove(state);
  }

  /** The streams this hub knows of (from the index). */
  async streams(): Promise<number> {
    return (await this.#start()).index.size;
  }

  /** Stop every listener (they receive nothing more), let writes in flight finish, and disconnect. */
  async closeHub(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const s = await this.#started?.catch(() => undefined);
    if (!s) return;
    for (const state of s.listeners.all()) s.listeners.remove(state);
    await Promise.allSettled([s.logTail.close(), s.index.close()]);
    await s.connection.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.closeHub();
  }

  async #publish(stream: string, action: 'header' | 'put' | 'close', message: unknown, options: { deleted?: boolean } = {}): Promise<void> {
    checkName(stream);
    const s = await this.#start();
    try {
      await s.publisher.append(stream, action, message, options);
    } catch (error) {
      throw asTributaryError(error, `Writing a ${options.deleted ? 'delete' : action} to stream ${JSON.stringify(stream)}`);
    }
  }

  /** Where a new listener starts, whether its history was complete, and the header it receives first. */
  async #startPoint(s: Started, stream: string, partition: number, entry: IndexEntry | undefined, from: NonNullable<ListenOptions['from']>) {
    const low = async () => (await s.logTail.starts()).get(partition) ?? 0n;
    if (typeof from === 'object') {
      const position = checkPosition(from);
      if (entry && entry.epoch === position.epoch && position.offset + 1n >= (await low())) return { next: position.offset + 1n, recovered: true, header: undefined };
      return { ...(await this.#fromHeader(s, stream, partition, entry, low)), recovered: false };
    }
    if (from === 'start') {
      if (!entry) return { next: await this.#end(s, partition), recovered: true, header: undefined };
      const kept = await low();
      return { next: entry.start > kept ? entry.start : kept, recovered: entry.start >= kept, header: undefined };
    }
    if (from !== 'header') throw new InvalidArgumentError(`from must be 'header', 'start' or a stream position, got ${JSON.stringify(from)}`, { option: 'from', value: from });
    return { ...(await this.#fromHeader(s, stream, partition, entry, low)), recovered: true };
  }

  async #fromHeader(s: Started, stream: string, partition: number, entry: IndexEntry | undefined, low: () => Promise<bigint>) {
    if (entry?.header) {
      const codec = this.#codecs.get(entry.header.codec);
      if (!codec) throw new TributaryError(ErrorCodes.DECODE_FAILED, `The header of stream ${JSON.stringify(stream)} was written with codec ${JSON.stringify(entry.header.codec)}, which this hub has not been given (readCodecs)`, { context: { stream, codec: entry.header.codec } });
      const message = await codec.decode(entry.header.bytes);
      return { next: entry.header.offset + 1n, header: { action: 'header' as const, stream, message, position: { epoch: entry.epoch, offset: entry.header.offset.toString() } } };
    }
    if (entry) {
      const kept = await low();
      return { next: entry.start > kept ? entry.start : kept, header: undefined };
    }
    return { next: await this.#end(s, partition), header: undefined };
  }

  async #end(s: Started, partition: number): Promise<bigint> {
    return (await s.logTail.ends()).get(partition) ?? 0n;
  }

  #start(): Promise<Started> {
    if (this.#closed) return Promise.reject(new TributaryError(ErrorCodes.CONSUMER_STATE, 'The streams hub is closed', { context: { operation: 'use' } }));
    this.#started ??= (async () => {
      const { topics, logger } = this.#o;
      let connection: LogConnection | undefined;
      try {
        connection = await this.#o.transport.connect();
        const partitions = await connection.partitionCount(topics.log);
        await connection.partitionCount(topics.index);
        const index = new StreamIndex(connection.openReader(), topics.index, logger);
        await index.start();
        const fed: { listeners?: StreamListeners } = {};
        const logTail = new PartitionTail({ reader: connection.openReader(), topic: topics.log, logger, maxWaitMs: 100, outOfRange: 'start', onRecords: (p, records, range) => fed.listeners?.onRecords(p, records, range) });
        const listeners = (fed.listeners = new StreamListeners(logTail, (name) => this.#codecs.get(name), logger));
        // A listener waiting for a stream that did not exist yet starts at the stream's first record once known.
        index.onChange((stream, entry) => {
          if (entry) for (const state of listeners.of(stream)) if (state.epoch === undefined || state.epoch === entry.epoch) listeners.moveBack(state, entry.start);
        });
        return { connection, index, publisher: new StreamPublisher(connection, topics, partitions, index, this.#codec), listeners, logTail, partitions };
      } catch (error) {
        this.#started = undefined;
        await connection?.close().catch(() => {});
        throw asTributaryError(error, `Starting streams on topics ${topics.log} and ${topics.index} (create them with ensureStreamTopics)`);
      }
    })();
    return this.#started;
  }
}

/** A streams hub for this process. @throws InvalidArgumentError naming a wrong option. */
export function createStreams(options: StreamsOptions): Streams {
  return new Streams(options);
}

function checkName(stream: unknown): asserts stream is string {
  if (!isValidStreamName(stream)) throw new InvalidStreamNameError(stream);
}

function checkPosition(position: StreamPosition): { epoch: string; offset: bigint } {
  if (typeof position?.epoch === 'string' && typeof position.offset === 'string' && /^\d+$/.test(position.offset)) return { epoch: position.epoch, offset: BigInt(position.offset) };
  throw new InvalidArgumentError(`A stream position is { epoch, offset } with the offset in decimal, got ${JSON.stringify(position)}`, { option: 'from', value: position, expected: 'a StreamPosition' });
}
