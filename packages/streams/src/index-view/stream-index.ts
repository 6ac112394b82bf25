import { PartitionTail, type Logger, type LogReader, type StoredLogRecord } from '@tributary/kafka';
import { decodeIndexEntry, type IndexEntry } from './index-entry.js';

/**
 * Every stream's index entry, read from the compacted index topic from its start and then followed: how a
 * listener finds a stream's header and first offset without scanning the log. Entries written by this process
 * are applied at once ({@link remember}), so its own next operations never wait for the topic.
 *
 * The topic is read behind this process's own writes, so what it brings of a stream can be older than what this
 * process remembered: a delete and a new epoch written a moment ago must not be undone by the old epoch's entry
 * and the delete's tombstone read back after them (a listener starting then would be placed in the old epoch).
 * Records of a stream before this process's last write of its entry are therefore passed over.
 */
export class StreamIndex {
  readonly #entries = new Map<string, IndexEntry>();
  readonly #tail: PartitionTail;
  readonly #logger: Logger;
  readonly #listeners = new Set<(stream: string, entry: IndexEntry | undefined) => void>();
  /**
   * This process's last write of each stream's entry, until the topic is read past it: its offset once
   * acknowledged, and the stream's last record read while the write was unacknowledged (it may be another
   * process's later write). The index topic has one partition, so a record before that offset is older.
   */
  readonly #own = new Map<string, { readonly write: number; offset?: bigint; held?: StoredLogRecord }>();
  #writes = 0;

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

  /**
   * Apply an entry this process is writing (or a deletion: undefined) before it comes back from the topic.
   * Returns the write's number for {@link written}; until then, what the topic brings of the stream is older.
   */
  remember(stream: string, entry: IndexEntry | undefined): number {
    this.#set(stream, entry);
    const write = ++this.#writes;
    this.#own.set(stream, { write });
    return write;
  }

  /** Where the index record of {@link remember}'s `write` was appended; undefined when writing it failed. */
  written(stream: string, write: number, offset: bigint | undefined): void {
    const own = this.#own.get(stream);
    if (own?.write !== write) return;
    const held = own.held;
    own.held = undefined;
    if (offset === undefined || (held !== undefined && held.offset >= offset)) {
      // Failed, or a record at or after it was read already: the topic is the truth again.
      this.#own.delete(stream);
      if (held) this.#applyOne(stream, held);
      return;
    }
    own.offset = offset;
    // Read past it (its own record may have come back before the acknowledgement): nothing older can follow.
    void this.#tail.reached(0, offset + 1n).then(() => this.#own.get(stream) === own && this.#own.delete(stream));
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
      const own = this.#own.get(stream);
      if (own) {
        if (own.offset === undefined) {
          own.held = r;
          continue;
        }
        if (r.offset < own.offset) continue;
        // This process's own record, or a later one of another process: the topic has caught up.
        this.#own.delete(stream);
      }
      this.#applyOne(stream, r);
    }
  }

  #applyOne(stream: string, r: StoredLogRecord): void {
    if (r.value === null) return this.#set(stream, undefined);
    const entry = decodeIndexEntry(r.value);
    if (!entry) {
      this.#logger.debug({ offset: r.offset.toString() }, 'Streams: skipped a record of the index topic that is not an index entry');
      return;
    }
    // An entry read back can be older than one this process already remembered (it wrote a newer one since).
    const known = this.#entries.get(stream);
    if (known && known.epoch === entry.epoch && newer(known, entry)) return;
    this.#set(stream, entry);
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
