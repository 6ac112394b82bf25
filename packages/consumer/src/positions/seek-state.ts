import { fromPartitionKey, partitionKey, type TopicPartition } from '@tributary/kafka';

/**
 * Where this member was told to read, per partition. The floor is the lowest offset that may reach a handler
 * (the start position, then the last seek): a newly assigned partition is never read from below it. A seek of
 * a partition the member does not read yet waits until it is assigned.
 */
export class SeekState {
  readonly #floors = new Map<string, bigint>();
  readonly #pending = new Map<string, bigint>();

  floor(topic: string, partition: number): bigint | undefined {
    return this.#floors.get(partitionKey(topic, partition));
  }

  /** Read `partition` from `next` on: now when it is owned (the caller seeks it), else once it is assigned. */
  request(p: TopicPartition, next: bigint, owned: boolean): void {
    const key = partitionKey(p.topic, p.partition);
    this.#floors.set(key, next);
    if (owned) this.#pending.delete(key);
    else this.#pending.set(key, next);
  }

  /** The seeks waiting for partitions that are now owned; each is handed out once. */
  takePending(owned: readonly TopicPartition[]): Array<TopicPartition & { next: bigint }> {
    const out: Array<TopicPartition & { next: bigint }> = [];
    for (const p of owned) {
      const key = partitionKey(p.topic, p.partition);
      const next = this.#pending.get(key);
      if (next === undefined) continue;
      this.#pending.delete(key);
      out.push({ ...fromPartitionKey(key), next });
    }
    return out;
  }
}
