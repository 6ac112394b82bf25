import { PartitionTail, type Logger, type LogReader, type StoredLogRecord } from '@tributary/kafka';
import type { SessionEvent, SessionInfo, SessionListener } from './session-info.js';
import { decodeSessionRecord, type SessionRecord } from './session-record.js';
import { SessionTable } from './session-table.js';

/** Options of a {@link SessionRegistry}. */
export interface SessionRegistryOptions {
  readonly reader: LogReader;
  readonly topic: string;
  readonly logger: Logger;
  /** How often silent sessions are looked for. */
  readonly sweepMs: number;
}

/**
 * The view of the live sessions that every session of a process shares: the sessions topic read from its start
 * (it is compacted, so that is each session's latest announcement) and then followed. A session is live from
 * its first announcement until its tombstone, or until it has been silent for longer than its own timeout.
 *
 * Silence is measured on this process's clock from when an announcement was read, so clocks of other hosts do
 * not matter; announcements read while catching up count from their record timestamps, so sessions that died
 * long ago are not taken for live ones at start.
 */
export class SessionRegistry {
  readonly #o: SessionRegistryOptions;
  readonly #table = new SessionTable();
  readonly #tail: PartitionTail;
  readonly #listeners = new Set<SessionListener>();
  #caughtUp = false;
  #sweep: NodeJS.Timeout | undefined;

  constructor(options: SessionRegistryOptions) {
    this.#o = options;
    this.#tail = new PartitionTail({ reader: options.reader, topic: options.topic, logger: options.logger, maxWaitMs: 250, onRecords: (_partition, records) => this.#apply(records) });
  }

  /** Read every announcement kept, then follow; resolves once caught up with the end found at start. */
  async start(): Promise<void> {
    const [starts, ends] = [await this.#tail.starts(), await this.#tail.ends()];
    for (const [partition, offset] of starts) this.#tail.follow(partition, offset);
    await Promise.all([...ends].map(([partition, end]) => this.#tail.reached(partition, end)));
    this.#caughtUp = true;
    this.#emit(this.#table.expire(Date.now()));
    this.#sweep = setInterval(() => this.#emit(this.#table.expire(Date.now())), this.#o.sweepMs);
    this.#sweep.unref();
  }

  /** Resolves once the announcement written at `offset` of `partition` is in this view. */
  seen(partition: number, offset: bigint): Promise<void> {
    return this.#tail.reached(partition, offset + 1n);
  }

  get(id: string): SessionInfo | undefined {
    return this.#table.get(id);
  }

  record(id: string): SessionRecord | undefined {
    return this.#table.record(id);
  }

  all(): SessionInfo[] {
    return this.#table.all();
  }

  get size(): number {
    return this.#table.size;
  }

  handlersOf(path: string): { path: string; sessions: string[] } | undefined {
    return this.#table.handlersOf(path);
  }

  leastLoadedInbox(partitions: number, extra?: ReadonlyMap<number, number>): number {
    return this.#table.leastLoadedInbox(partitions, extra);
  }

  /** Be told when a session appears, changes or goes; returns the undo. */
  onChange(listener: SessionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await this.#tail.close();
  }

  #apply(records: readonly StoredLogRecord[]): void {
    const now = Date.now();
    const events: SessionEvent[] = [];
    for (const r of records) {
      const id = r.key?.toString('utf8');
      if (!id) continue;
      const record = r.value === null ? undefined : decodeSessionRecord(id, r.value);
      if (r.value !== null && record === undefined) {
        this.#o.logger.debug({ topic: this.#o.topic, offset: r.offset.toString() }, 'Messaging: skipped a record of the sessions topic that is not a session announcement');
        continue;
      }
      const event = this.#table.apply(id, record, this.#caughtUp ? now : Number(r.timestamp));
      if (event) events.push(event);
    }
    if (this.#caughtUp) this.#emit(events);
  }

  #emit(events: readonly SessionEvent[]): void {
    for (const event of events) {
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (error) {
          this.#o.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'Messaging: a session listener threw');
        }
      }
    }
  }
}
