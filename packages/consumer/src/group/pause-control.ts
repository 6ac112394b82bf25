import { fromPartitionKey, partitionKey, type TopicPartition } from '@tributary/kafka';

/** Pauses and resumes fetching from a partition (the kafkajs consumer, in production). */
export interface PartitionPauser {
  pause(partition: TopicPartition): void;
  resume(partition: TopicPartition): void;
}

/**
 * Why each partition is paused. A partition fetches again only once every reason is gone: the user's pause,
 * and a dead-letter write that failed (the partition retries after a back-off that grows with each failure,
 * until a record of it settles again). Pauses are applied again after a rebalance, since a restarted client
 * forgets them; dead-letter pauses of partitions no longer owned are dropped.
 */
export class PauseControl {
  readonly #pauser: PartitionPauser;
  readonly #backoff: { initialDelayMs: number; maxDelayMs: number };
  readonly #user = new Set<string>();
  #userAll = false;
  readonly #blocked = new Map<string, { partition: TopicPartition; failures: number; timer: NodeJS.Timeout | undefined }>();

  constructor(pauser: PartitionPauser, backoff: { initialDelayMs: number; maxDelayMs: number }) {
    this.#pauser = pauser;
    this.#backoff = backoff;
  }

  /** The user paused these partitions (or, with 'all', every partition, including those assigned later). */
  pauseByUser(partitions: readonly TopicPartition[] | 'all', owned: readonly TopicPartition[]): void {
    const list = partitions === 'all' ? owned : partitions;
    const before = list.map((p) => this.isPaused(p));
    if (partitions === 'all') this.#userAll = true;
    list.forEach((p, i) => {
      this.#user.add(partitionKey(p.topic, p.partition));
      if (!before[i]) this.#pauser.pause(p);
    });
  }

  /** The user resumed these partitions (or every one). A partition still blocked by a dead letter stays paused. */
  resumeByUser(partitions: readonly TopicPartition[] | 'all', owned: readonly TopicPartition[]): void {
    const list = partitions === 'all' ? [...owned, ...[...this.#user].map(fromPartitionKey)] : partitions;
    if (this.#userAll && partitions !== 'all') {
      // Resuming some after pausing all: the others owned now stay paused (those assigned later will not be).
      for (const p of owned) this.#user.add(partitionKey(p.topic, p.partition));
    }
    this.#userAll = false;
    for (const p of list) {
      this.#user.delete(partitionKey(p.topic, p.partition));
      if (!this.isPaused(p)) this.#pauser.resume(p);
    }
  }

  /** A record of the partition could not be settled: pause it and try again after the back-off. */
  block(p: TopicPartition): number {
    const key = partitionKey(p.topic, p.partition);
    const entry = this.#blocked.get(key) ?? { partition: p, failures: 0, timer: undefined };
    const wasPaused = this.isPaused(p);
    entry.failures++;
    clearTimeout(entry.timer);
    const wait = Math.min(this.#backoff.maxDelayMs, this.#backoff.initialDelayMs * 2 ** Math.min(entry.failures - 1, 20));
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (!this.#user.has(key) && !this.#userAll) this.#pauser.resume(p);
    }, wait);
    entry.timer.unref?.();
    this.#blocked.set(key, entry);
    if (!wasPaused) this.#pauser.pause(p);
    return wait;
  }

  /** A record of the partition settled: it is no longer blocked, and its back-off starts over. */
  settled(p: TopicPartition): void {
    if (this.#blocked.size === 0) return;
    const key = partitionKey(p.topic, p.partition);
    const entry = this.#blocked.get(key);
    if (entry && entry.timer === undefined) this.#blocked.delete(key);
  }

  /** True when fetching from the partition is paused for any reason. */
  isPaused(p: TopicPartition): boolean {
    if (!this.#userAll && this.#user.size === 0 && this.#blocked.size === 0) return false;
    const key = partitionKey(p.topic, p.partition);
    return this.#userAll || this.#user.has(key) || this.#blocked.get(key)?.timer !== undefined;
  }

  /** The user's pauses (partitions named, or every owned one after pause('all')). */
  pausedByUser(owned: readonly TopicPartition[]): TopicPartition[] {
    return this.#userAll ? [...owned] : [...this.#user].map(fromPartitionKey);
  }

  /** A new assignment: forget dead-letter pauses of partitions no longer owned; pause owned ones again. */
  assign(owned: readonly TopicPartition[]): void {
    const keys = new Set(owned.map((p) => partitionKey(p.topic, p.partition)));
    for (const [key, entry] of this.#blocked) {
      if (keys.has(key)) continue;
      clearTimeout(entry.timer);
      this.#blocked.delete(key);
    }
    for (const p of owned) if (this.isPaused(p)) this.#pauser.pause(p);
  }

  /** The partition was sought: a dead-letter pause no longer applies to where it now reads. */
  unblock(p: TopicPartition): void {
    const key = partitionKey(p.topic, p.partition);
    const entry = this.#blocked.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#blocked.delete(key);
    if (!this.isPaused(p)) this.#pauser.resume(p);
  }

  /** Cancel every back-off timer (at stop). */
  close(): void {
    for (const entry of this.#blocked.values()) clearTimeout(entry.timer);
    this.#blocked.clear();
  }
}
