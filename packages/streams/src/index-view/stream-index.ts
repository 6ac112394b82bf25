import { PartitionTail, type Logger, type LogReader, type StoredLogRecord } from '@tributary/kafka';
import { decodeIndexEntry, type IndexEntry } from './index-entry.js';

/**
 * Every stream's index entry, read from the compacted index topic from its start and then followed: how a
 * listener finds a stream's header and first offset without scanning the log. Entries written by this process
 * are applied at once ({@link remember}), so its own next operations never wait for the topic.
 */
export class StreamIndex {
  readonly #entries = new Map<string, IndexEntry>();
  readonly #tail: PartitionTail;
  readonly #logger: Logger;
  readonly #listeners = new Set<(stream: string, entry: IndexEntry | undefined) => void>();

  constructor(reader: LogReader, topic: string, logger: Logger) {
    this.#logger = logger;
    this.#tail = new PartitionTail({ reader, topic, logger, maxWaitMs: 250, onRecords: (_p, records) => this.#apply(records) });
  }

  /** Read every entry kept, then follow; resolves once caught up with the end found at start. */
  async start(): Promise<void> {
    const [starts, ends] = [await this.#tail.starts(), await this.#tail.ends()];
    for (const [partition, offset] of starts) this.#tail.follow(partition, offset);
    await Promise.all([...ends].map(([partition, end]) => this.#tail.reached(partition, end)));
  }

  get(stream: string): IndexEntry | undefined {
    return this.#entries.get(stream);
  }

  /** Apply an entry this process wrote (or a deletion: undefined) before it comes back from the topic. */
  remember(stream: string, entry: IndexEntry | undefined): void {
    this.#set(stream, entry);
  }

  /** Be told when a stream's entry changes; returns the undo. */
  onChange(listener: (stream: string, entry: IndexEntry | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#entries.size;
  }

  close(): Promise<void> {
    return this.#tail.close();
  }

  #apply(records: readonly StoredLogRecord[]): void {
    for (const r of records) {
      const stream = r.key?.toString('utf8');
      if (!stream) continue;
      if (r.value === null) {
        this.#set(stream, undefined);
        continue;
      }
      const entry = decodeIndexEntry(r.value);
      if (!entry) {
        this.#logger.debug({ offset: r.offset.toString() }, 'Streams: skipped a record of the index topic that is not an index entry');
        continue;
      }
      // An entry read back can be older than one this process already remembered (it wrote a newer one since).
      const known = this.#entries.get(stream);
      if (known && known.epoch === entry.epoch && newer(known, entry)) continue;
      this.#set(stream, entry);
    }
  }

  #set(stream: string, entry: IndexEntry | undefined): void {
    if (entry === undefined) this.#entries.delete(stream);
    else this.#entries.set(stream, entry);
    for (const listener of this.#listeners) listener(stream, entry);
  }
}

/** Whether `a` knows more of the same epoch than `b`: a later header or a close. */
function newer(a: IndexEntry, b: IndexEntry): boolean {
  const mark = (e: IndexEntry) => (e.closed ?? -1n) > (e.header?.offset ?? -1n) ? (e.closed ?? -1n) : (e.header?.offset ?? -1n);
  return mark(a) > mark(b);
}
