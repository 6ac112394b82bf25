import type { PartitionRange } from './offset-lookup.js';
import { partitionKey } from './topic-partition.js';

/** Lag of one partition: how many offsets the group has yet to commit past. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The high watermark: one past the last record. */
  readonly high: bigint;
  /** The group's committed offset (the next it reads), or undefined when it has none. */
  readonly committed: bigint | undefined;
  /** high - committed; high - low (everything still held) when the group has no commit. */
  readonly lag: bigint;
}

/** Per-partition lag of a group from its commits (by partition key) and its topics' ranges, sorted by topic and partition. */
export function groupLag(committed: ReadonlyMap<string, bigint>, topics: ReadonlyArray<{ topic: string; ranges: readonly PartitionRange[] }>): PartitionLag[] {
  const out: PartitionLag[] = [];
  for (const { topic, ranges } of topics) {
    for (const range of ranges) {
      const done = committed.get(partitionKey(topic, range.partition));
      const lag = range.high - (done ?? range.low);
      out.push({ topic, partition: range.partition, high: range.high, committed: done, lag: lag < 0n ? 0n : lag });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
