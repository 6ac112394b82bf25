/** The range of one partition: the first offset still held, and one past the last record (the high watermark). */
export interface PartitionRange {
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * What resolving a position needs from a bus: each partition's range and the broker's offsets-for-times.
 * A port, so position logic is tested without a broker.
 */
export interface OffsetLookup {
  /** Every partition of `topic` with its range. */
  ranges(topic: string): Promise<PartitionRange[]>;
  /** Per partition, the first offset whose record timestamp is at or after `millis` (the high watermark when none is). */
  offsetsForTime(topic: string, millis: number): Promise<Array<{ partition: number; offset: bigint }>>;
}
