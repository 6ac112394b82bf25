/**
 * A small seam over a partitioned log, for the capabilities that keep their own state in topics (messaging's
 * sessions and inboxes, streams and their index): Kafka in production ({@link KafkaLogTransport}), memory in
 * users' unit tests ({@link MemoryLogTransport}). They need little of a log: append records to a chosen
 * partition and learn their offsets, read partitions from an offset with a long poll, and know a topic's
 * partitions and ranges. One conformance suite (test/log/log-transport-conformance.ts) runs against both.
 */

/** A record to append: bytes, headers by name. */
export interface LogRecord {
  readonly key: Buffer | null;
  /** Null: a tombstone. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** A record read back, with its place and time. */
export interface StoredLogRecord extends LogRecord {
  readonly offset: bigint;
  /** Epoch milliseconds, in decimal. */
  readonly timestamp: string;
}

/** What one partition's read gave: its records in offset order and the next offset, or why it failed. */
export type PartitionRead =
  | { readonly partition: number; readonly records: readonly StoredLogRecord[]; readonly next: bigint; readonly error?: undefined }
  | { readonly partition: number; readonly error: Error };

/**
 * Reads a topic's partitions. Each reader has a connection of its own, so one reader's long poll never delays
 * another's reads or the connection's writes.
 */
export interface LogReader {
  /** Each partition's first kept offset and its end (one past the last record), in partition order. */
  ranges(topic: string): Promise<Array<{ partition: number; low: bigint; high: bigint }>>;
  /**
   * Read partitions from their positions, waiting up to `maxWaitMs` for a first record when there is none yet.
   * A partition that fails comes back with its `error` (an OFFSET_OUT_OF_RANGE TributaryError when its position
   * is outside the log); the call itself rejects only when nothing could be read.
   */
  read(topic: string, positions: ReadonlyArray<{ partition: number; offset: bigint }>, maxWaitMs: number): Promise<PartitionRead[]>;
  close(): Promise<void>;
}

/** One user's connection to the log (a messaging hub's, a streams hub's). */
export interface LogConnection {
  /** @throws when the topic does not exist. */
  partitionCount(topic: string): Promise<number>;
  /**
   * Append records, each to its partition; resolves with their offsets in the same order once all are
   * acknowledged (written to every in-sync replica on Kafka). Rejects when any could not be written.
   */
  write(records: ReadonlyArray<{ topic: string; partition: number; record: LogRecord }>): Promise<Array<{ partition: number; offset: bigint }>>;
  openReader(): LogReader;
  close(): Promise<void>;
}

/** Makes connections to a log. */
export interface LogTransport {
  connect(): Promise<LogConnection>;
}
