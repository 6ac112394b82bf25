/**
 * The seam between messaging and the log it runs on: Kafka in production ({@link KafkaTransport}), memory in
 * users' unit tests ({@link MemoryTransport}). Messaging needs little of a log: append records to a chosen
 * partition and learn their offsets, read partitions from an offset with a long poll, and know a topic's
 * partitions and ranges.
 */

/** A record as messaging writes it: bytes, headers by name. */
export interface TransportRecord {
  readonly key: Buffer | null;
  /** Null: a tombstone. */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

/** A record read back, with its place and time. */
export interface StoredRecord extends TransportRecord {
  readonly offset: bigint;
  /** Epoch milliseconds, in decimal. */
  readonly timestamp: string;
}

/** What one partition's read gave: its records in offset order and the next offset, or why it failed. */
export type PartitionRead =
  | { readonly partition: number; readonly records: readonly StoredRecord[]; readonly next: bigint; readonly error?: undefined }
  | { readonly partition: number; readonly error: Error };

/**
 * Reads a topic's partitions. Each reader has a connection of its own, so one reader's long poll never delays
 * another's reads or the connection's writes.
 */
export interface TransportReader {
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

/** One hub's connection to the log. */
export interface TransportConnection {
  /** @throws when the topic does not exist. */
  partitionCount(topic: string): Promise<number>;
  /**
   * Append records, each to its partition; resolves with their offsets in the same order once all are
   * acknowledged (written to every in-sync replica on Kafka). Rejects when any could not be written.
   */
  write(records: ReadonlyArray<{ topic: string; partition: number; record: TransportRecord }>): Promise<Array<{ partition: number; offset: bigint }>>;
  openReader(): TransportReader;
  close(): Promise<void>;
}

/** Makes a hub's connection to a log. */
export interface MessagingTransport {
  connect(): Promise<TransportConnection>;
}
