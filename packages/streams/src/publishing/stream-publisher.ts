import { randomBytes } from 'node:crypto';
import { partitionForKey, type LogConnection } from '@tributary/kafka';
import { encodeIndexEntry, type IndexEntry } from '../index-view/index-entry.js';
import type { StreamIndex } from '../index-view/stream-index.js';
import type { StreamCodec } from '../stream-service.js';
import type { StreamTopics } from '../topics.js';
import { StreamHeaders, type LogAction } from '../wire/record-headers.js';

/**
 * Appends headers, puts and closes to the log, and keeps each stream's index entry current. Appends to one
 * stream are submitted to the writer in call order (an async codec is awaited in a per-stream chain), so
 * concurrent puts keep their order without waiting for each other's acknowledgement.
 */
export class StreamPublisher {
  readonly #connection: LogConnection;
  readonly #topics: StreamTopics;
  readonly #partitions: number;
  readonly #index: StreamIndex;
  readonly #codec: StreamCodec;
  readonly #chains = new Map<string, Promise<unknown>>();
  /** Streams started here whose first record is not acknowledged yet: their epoch, so later puts share it. */
  readonly #starting = new Map<string, string>();

  constructor(connection: LogConnection, topics: StreamTopics, partitions: number, index: StreamIndex, codec: StreamCodec) {
    this.#connection = connection;
    this.#topics = topics;
    this.#partitions = partitions;
    this.#index = index;
    this.#codec = codec;
  }

  partitionOf(stream: string): number {
    return partitionForKey(stream, this.#partitions);
  }

  /** Append to a stream; resolves once the record (and the index entry it changes) is acknowledged. */
  append(stream: string, action: LogAction, message: unknown, options: { deleted?: boolean } = {}): Promise<void> {
    const previous = this.#chains.get(stream) ?? Promise.resolve();
    let written!: Promise<void>;
    const submitted = previous.then(async () => {
      written = (await this.#submit(stream, action, message, options.deleted === true)).acknowledged;
    });
    const link = submitted.catch(() => {});
    this.#chains.set(stream, link);
    void link.then(() => this.#chains.get(stream) === link && this.#chains.delete(stream));
    return submitted.then(() => written);
  }

  /** Encode and hand to the writer now; `acknowledged` settles with the record's acknowledgement and index update. */
  async #submit(stream: string, action: LogAction, message: unknown, deleted: boolean): Promise<{ acknowledged: Promise<void> }> {
    const partition = this.partitionOf(stream);
    const known = this.#index.get(stream);
    const live = known && known.closed === undefined ? known : undefined;
    if (action === 'close' && !live && !this.#starting.has(stream)) return { acknowledged: deleted ? this.#forget(stream, known) : Promise.resolve() };
    const epoch = live?.epoch ?? this.#starting.get(stream) ?? newEpoch();
    const fresh = !live && !this.#starting.has(stream);
    if (fresh) this.#starting.set(stream, epoch);
    const value = action === 'close' ? null : await this.#codec.encode(message);
    const headers = { [StreamHeaders.action]: Buffer.from(action), [StreamHeaders.epoch]: Buffer.from(epoch), [StreamHeaders.codec]: Buffer.from(this.#codec.name) };
    const ack = this.#connection.write([{ topic: this.#topics.log, partition, record: { key: Buffer.from(stream), value, headers } }]).catch((error: unknown) => {
      // A stream whose first record failed is not started: the next append begins it again.
      if (fresh && this.#starting.get(stream) === epoch) this.#starting.delete(stream);
      throw error;
    });
    const acknowledged = ack.then(async ([result]) => {
      const offset = result!.offset;
      const base: IndexEntry = this.#index.get(stream)?.epoch === epoch ? this.#index.get(stream)! : { partition, epoch, start: offset };
      if (fresh) this.#starting.delete(stream);
      if (deleted) return this.#forget(stream, base);
      if (action === 'put' && !fresh) return;
      const entry: IndexEntry =
        action === 'header' ? { ...base, header: { offset, codec: this.#codec.name, bytes: value! } } : action === 'close' ? { ...base, closed: offset } : base;
      await this.#writeIndex(stream, entry);
    });
    return { acknowledged };
  }

  async #forget(stream: string, known: IndexEntry | undefined): Promise<void> {
    if (!known) return;
    await this.#writeIndex(stream, undefined);
  }

  /** Apply a stream's entry (undefined: a tombstone) to the local index at once, then write it to the index topic. */
  async #writeIndex(stream: string, entry: IndexEntry | undefined): Promise<void> {
    const write = this.#index.remember(stream, entry);
    try {
      const [at] = await this.#connection.write([{ topic: this.#topics.index, partition: 0, record: { key: Buffer.from(stream), value: entry ? encodeIndexEntry(entry) : null, headers: {} } }]);
      this.#index.written(stream, write, at!.offset);
    } catch (error) {
      this.#index.written(stream, write, undefined);
      throw error;
    }
  }
}

/** A new epoch: time first, so epochs of one stream sort by when they began, then randomness. */
function newEpoch(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
