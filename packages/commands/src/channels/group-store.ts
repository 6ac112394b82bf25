import { performance } from 'node:perf_hooks';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { asTributaryError, partitionForKey, PartitionTail, type LogConnection, type Logger, type StoredLogRecord } from '@tributary/kafka';
import { PerformanceRecorder } from '../signalling/performance.js';

/** Longest a change waits to be read back by this view (it is written by then: a timeout says it is not seen yet). */
const SEEN_TIMEOUT_MS = 30_000;

/** Where a membership change landed on the groups topic. */
export interface GroupWrite {
  readonly partition: number;
  readonly offset: string;
}

/** Options of a {@link GroupStore}. */
export interface GroupStoreOptions {
  readonly connection: LogConnection;
  readonly topic: string;
  /** How long a membership lasts after it is added. */
  readonly expiryMs: number;
  readonly logger: Logger;
}

interface MembershipValue {
  readonly group: string;
  readonly channel: string;
  readonly expiresAt: number;
}

/**
 * Group memberships on a compacted topic, and this process's view of them. A membership is a record keyed
 * `<group> <channel>` (neither name may hold a space) whose value says when it expires; a discard is its
 * tombstone. Records of a group share a partition, so adds and discards of one group are read in the order they
 * were written, and every process's view agrees once it has read that far. A change resolves once this view has
 * read it, so a `groupSend` after `groupAdd` in the same process sees the member. Expired memberships leave the view
 * when next looked at; the topic's `retention.ms` removes their records (see `ensureChannelTopics`).
 */
export class GroupStore {
  /** Writes (adds, discards, flushes): their latency, and errors. */
  readonly recorder = new PerformanceRecorder('group-store', 'records behind the groups topic end');
  readonly #o: GroupStoreOptions;
  readonly #groups = new Map<string, Map<string, number>>();
  readonly #next = new Map<number, bigint>();
  #tail: PartitionTail | undefined;
  #partitions = 0;

  constructor(options: GroupStoreOptions) {
    this.#o = options;
  }

  /** Read every membership kept; resolves once the view has caught up with the topic's end. */
  async start(): Promise<void> {
    const { connection, topic, logger } = this.#o;
    try {
      this.#partitions = await connection.partitionCount(topic);
      this.#tail = new PartitionTail({ reader: connection.openReader(), topic, logger, maxWaitMs: 100, outOfRange: 'start', onRecords: (partition, records, range) => this.#apply(partition, records, range.next) });
      const [starts, ends] = [await this.#tail.starts(), await this.#tail.ends()];
      for (const [partition, offset] of starts) {
        this.#next.set(partition, offset);
        this.#tail.follow(partition, offset);
      }
      await this.#seen([...ends].map(([partition, end]) => ({ partition, offset: end - 1n })), 'Catching up with the memberships kept');
    } catch (error) {
      await this.#tail?.close().catch(() => {});
      throw asTributaryError(error, `Reading the groups topic ${topic} (create it with ensureChannelTopics)`);
    }
  }

  /** Add `channel` to `group` (again: its expiry starts over). */
  add(group: string, channel: string): Promise<GroupWrite> {
    const value: MembershipValue = { group, channel, expiresAt: Date.now() + this.#o.expiryMs };
    return this.#write([{ group, channel, value: Buffer.from(JSON.stringify(value)) }]).then((w) => w[0]!);
  }

  /** Remove `channel` from `group` (nothing happens for a channel that is not a member). */
  discard(group: string, channel: string): Promise<GroupWrite> {
    return this.#write([{ group, channel, value: null }]).then((w) => w[0]!);
  }

  /** Discard the memberships `which` picks among those this view holds (expired ones included); resolves with how many. */
  async discardWhere(which: (group: string, channel: string) => boolean): Promise<number> {
    const doomed: Array<{ group: string; channel: string; value: null }> = [];
    for (const [group, channels] of this.#groups) for (const channel of channels.keys()) if (which(group, channel)) doomed.push({ group, channel, value: null });
    if (doomed.length > 0) await this.#write(doomed);
    return doomed.length;
  }

  /** The live members of `group`, in the order they joined. */
  members(group: string, now = Date.now()): string[] {
    const channels = this.#groups.get(group);
    if (!channels) return [];
    const live: string[] = [];
    for (const [channel, expiresAt] of channels) {
      if (expiresAt > now) live.push(channel);
      else channels.delete(channel);
    }
    if (channels.size === 0) this.#groups.delete(group);
    return live;
  }

  /** Every group with its live members. */
  snapshot(now = Date.now()): Record<string, string[]> {
    const all: Record<string, string[]> = {};
    for (const group of [...this.#groups.keys()].sort()) {
      const members = this.members(group, now);
      if (members.length > 0) all[group] = members;
    }
    return all;
  }

  /** Records of the groups topic this view has not read yet. */
  async lag(): Promise<number> {
    if (!this.#tail) return 0;
    let behind = 0n;
    for (const [partition, end] of await this.#tail.ends()) {
      const next = this.#next.get(partition) ?? 0n;
      if (end > next) behind += end - next;
    }
    return Number(behind);
  }

  async close(): Promise<void> {
    await this.#tail?.close();
  }

  async #write(changes: ReadonlyArray<{ group: string; channel: string; value: Buffer | null }>): Promise<GroupWrite[]> {
    const started = performance.now();
    try {
      const records = changes.map(({ group, channel, value }) => ({ topic: this.#o.topic, partition: partitionForKey(group, this.#partitions), record: { key: Buffer.from(`${group} ${channel}`), value, headers: {} } }));
      const written = await this.#o.connection.write(records);
      await this.#seen(written, 'A membership change was written; reading it back');
      this.recorder.record(performance.now() - started, changes.length);
      return written.map((w) => ({ partition: w.partition, offset: w.offset.toString() }));
    } catch (error) {
      const wrapped = asTributaryError(error, `Writing ${changes.length} group membership change(s) to ${this.#o.topic}`);
      this.recorder.fail(wrapped.code);
      throw wrapped;
    }
  }

  /** Wait until this view has read the records at `offsets`, for {@link SEEN_TIMEOUT_MS} at most (then TIMEOUT). */
  async #seen(offsets: ReadonlyArray<{ partition: number; offset: bigint }>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TributaryError(ErrorCodes.TIMEOUT, `${what} from ${this.#o.topic} took longer than ${SEEN_TIMEOUT_MS} ms`, { retriable: true, context: { topic: this.#o.topic } })), SEEN_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(offsets.map((w) => this.#tail!.reached(w.partition, w.offset + 1n))), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #apply(partition: number, records: readonly StoredLogRecord[], next: bigint): void {
    for (const record of records) {
      const key = record.key?.toString() ?? '';
      const space = key.indexOf(' ');
      if (space <= 0) {
        this.#o.logger.warn({ topic: this.#o.topic, partition, offset: record.offset.toString() }, 'Channels: skipped a groups record without a "<group> <channel>" key');
        continue;
      }
      const [group, channel] = [key.slice(0, space), key.slice(space + 1)];
      const expiresAt = record.value === null ? undefined : expiryOf(record.value);
      let channels = this.#groups.get(group);
      if (expiresAt === undefined) {
        channels?.delete(channel);
        if (channels?.size === 0) this.#groups.delete(group);
        continue;
      }
      if (!channels) this.#groups.set(group, (channels = new Map()));
      // Re-inserted, so the order of members is the order of their latest add.
      channels.delete(channel);
      channels.set(channel, expiresAt);
    }
    this.#next.set(partition, next);
  }
}

/** The expiry a membership record holds; undefined (treated as a discard) when it holds none. */
function expiryOf(value: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(value.toString()) as Partial<MembershipValue>;
    return typeof parsed.expiresAt === 'number' ? parsed.expiresAt : undefined;
  } catch {
    return undefined;
  }
}
