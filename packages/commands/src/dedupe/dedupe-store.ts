import type { TransactionalRecord } from '@tributary/kafka';

/**
 * Remembers which command messages ran, by id, so a redelivered message does not run twice. A processor asks
 * `has(id)` before running a message and calls `add(id)` after its follow-ups are published; a store on Kafka
 * can instead give the record that marks it (`recordFor`), to go in the same transaction as the follow-ups.
 */
export interface DedupeStore {
  has(id: string): boolean | Promise<boolean>;
  add(id: string): void | Promise<void>;
  /** The record that marks `id` as done, to write in a transaction; absent for a store outside Kafka. */
  recordFor?(id: string): TransactionalRecord;
  /** Note `id` as done here only, once the transaction holding its record committed. */
  remember?(id: string): void;
  /** Make sure ids added elsewhere until now are known (called when partitions are assigned). */
  catchUp?(): Promise<void>;
  close?(): Promise<void>;
}

/** Options of a {@link MemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /** Ids kept at most; the oldest go first. Default 100000. */
  maxEntries?: number;
  /** How long an id is kept. Default one day. */
  ttlMs?: number;
}

/**
 * Ids in this process's memory: keeps a message that is redelivered to the same process (a retry, a rebalance
 * that gives the partition back) from running twice. Bounded by count and age.
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  readonly #ttl: number;

  constructor(options: MemoryDedupeStoreOptions = {}) {
    this.#max = options.maxEntries ?? 100_000;
    this.#ttl = options.ttlMs ?? 24 * 3600_000;
  }

  has(id: string): boolean {
    const at = this.#seen.get(id);
    if (at === undefined) return false;
    if (Date.now() - at > this.#ttl) {
      this.#seen.delete(id);
      return false;
    }
    return true;
  }

  add(id: string): void {
    this.#seen.delete(id);
    this.#seen.set(id, Date.now());
    while (this.#seen.size > this.#max) this.#seen.delete(this.#seen.keys().next().value!);
  }
}
