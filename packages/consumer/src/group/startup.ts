import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import { partitionKey, partitionName, type KafkaAdmin, type TopicPartition } from '@tributary/kafka';
import type { ConsumerLogger } from '../logging/logger.js';
import type { SeekState } from '../positions/seek-state.js';
import { positionTargets, type ParsedStart } from '../positions/start-position.js';
import type { ResolvedOptions } from './options.js';

/**
 * Every topic read must exist (Tributary creates topics on purpose; auto-creation is off). A missing
 * dead-letter topic is worth a warning at start, naming the topic to create: a record that must be
 * dead-lettered then stalls its partition (reported as `stalled`) until the topic exists.
 * @throws InvalidArgumentError naming `topics[i]`.
 */
export async function checkTopics(admin: KafkaAdmin, o: ResolvedOptions, logger: ConsumerLogger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  o.topics.forEach((topic, i) => {
    if (!existing.has(topic)) throw new InvalidArgumentError(`topics[${i}]: topic "${topic}" does not exist`, { option: `topics[${i}]`, value: topic });
  });
  const missing = [...new Set(o.topics.map(o.deadLetterTopic))].filter((t) => !existing.has(t));
  if (missing.length > 0) {
    logger.warn(
      { groupId: o.groupId, deadLetterTopics: missing },
      `dead-letter topics ${missing.join(', ')} do not exist: create them (ensureTopics) or a record that must be dead-lettered stalls its partition until they do`,
    );
  }
}

/**
 * Where `from` puts each partition the group has no commit for, resolved once at start (so 'latest' means the
 * end when start() was called, not when a partition is first fetched). Partitions with a commit are left out:
 * they resume at their commit. 'earliest' and partitions a Position does not name are left out too: they start
 * at the log's start when assigned.
 * @throws OffsetOutOfRangeError (policy 'fail') for an uncommitted partition; CONNECTION when Kafka cannot be asked.
 */
export async function initialOffsets(admin: KafkaAdmin, o: ResolvedOptions): Promise<Map<string, bigint>> {
  if (o.from.kind === 'earliest') return new Map();
  const committed = await admin.groupOffsets(o.groupId, o.topics);
  return positionTargets(o.from, o.topics, admin, o.onOutOfRange, (key) => !committed.has(key));
}

/**
 * The next offset of each partition a seek names, checked against its range ('earliest' and 'latest' name
 * every partition of every topic read).
 * @throws OffsetOutOfRangeError (policy 'fail').
 */
export async function seekTargets(admin: KafkaAdmin, parsed: ParsedStart, o: ResolvedOptions): Promise<Map<string, bigint>> {
  return positionTargets(parsed, o.topics, admin, o.onOutOfRange);
}

/**
 * Where this member starts reading partitions just assigned to it: the group's commit; with none, where `from`
 * put it at start (`initial`), else the start of the log (its end for 'latest'); and never below the
 * partition's floor (the last seek of this member), so no record before it reaches a handler. A position taken
 * from a commit keeps the leader epoch committed with it (`lastEpoch`), so the reader checks it against the
 * leader's log before reading: records lost to an unclean leader election since are reported, not skipped.
 * Reading read_committed, it waits while a transaction holds offsets of these partitions (up to 60 s).
 */
export async function positionsOnAssignment(
  admin: KafkaAdmin,
  o: ResolvedOptions,
  assigned: readonly TopicPartition[],
  seeks: SeekState,
  initial: ReadonlyMap<string, bigint>,
): Promise<Array<TopicPartition & { next: bigint; lastEpoch?: number }>> {
  // As Java's consumer with read_committed (KIP-447): a partition whose offsets a transaction still holds is not
  // started from the commit before that transaction, which would hand its records to a handler again.
  const committed = await admin.groupCommits(o.groupId, assigned, { requireStable: o.isolationLevel === 'read_committed' });
  const ranges = new Map<string, Awaited<ReturnType<KafkaAdmin['ranges']>>>();
  const out: Array<TopicPartition & { next: bigint; lastEpoch?: number }> = [];
  for (const p of assigned) {
    const key = partitionKey(p.topic, p.partition);
    const commit = committed.get(key);
    let next = commit?.offset ?? initial.get(key);
    if (next === undefined) {
      if (!ranges.has(p.topic)) ranges.set(p.topic, await admin.ranges(p.topic));
      const range = ranges.get(p.topic)!.find((r) => r.partition === p.partition);
      next = (o.from.kind === 'latest' ? range?.high : range?.low) ?? 0n;
    }
    const floor = seeks.floor(p.topic, p.partition);
    if (floor !== undefined && next < floor) out.push({ topic: p.topic, partition: p.partition, next: floor });
    else if (commit !== undefined && commit.leaderEpoch >= 0) out.push({ topic: p.topic, partition: p.partition, next, lastEpoch: commit.leaderEpoch });
    else out.push({ topic: p.topic, partition: p.partition, next });
  }
  return out;
}

/** Where to read a partition whose position `next` lies outside its log: the nearer end of the log. */
export async function nearestInLog(admin: KafkaAdmin, p: TopicPartition & { readonly next: bigint }): Promise<bigint> {
  const range = (await admin.ranges(p.topic)).find((r) => r.partition === p.partition);
  if (!range) throw new TributaryError(ErrorCodes.CONNECTION, `No offsets for ${partitionName(p)}`, { retriable: true });
  return p.next < range.low ? range.low : range.high;
}
