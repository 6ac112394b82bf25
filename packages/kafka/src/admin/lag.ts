import type { Admin } from 'kafkajs';

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

/** Per-partition lag of a group on its topics, from the broker (high watermarks and the group's commits). */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const out: PartitionLag[] = [];
  for (const topic of topics) {
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const c = mine.find((p) => p.partition === end.partition)?.offset;
      const done = c === undefined || c === '-1' ? undefined : BigInt(c);
      const high = BigInt(end.high);
      const lag = high - (done ?? BigInt(end.low));
      out.push({ topic, partition: end.partition, high, committed: done, lag: lag < 0n ? 0n : lag });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
