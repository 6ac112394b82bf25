import type { Admin, Kafka } from 'kafkajs';
import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import { asTributaryError } from '../errors.js';
import { setEmptyGroupOffsets } from '../internal/group-offsets.js';
import { fromPartitionKey, partitionKey, partitionName, type TopicPartition } from '../internal/topic-partition.js';
import type { ConsumerLogger } from '../logging/logger.js';
import { adminOffsetLookup, type PartitionRange } from '../positions/offset-lookup.js';
import type { SeekState } from '../positions/seek-state.js';
import { resolveStartPosition, type ParsedStart } from '../positions/start-position.js';
import type { ResolvedOptions } from './options.js';

/**
 * Every topic read must exist (Tributary creates topics on purpose; auto-creation is off). A missing
 * dead-letter topic is only worth a warning: it matters only once a record must be dead-lettered.
 * @throws InvalidArgumentError naming `topics[i]`.
 */
export async function checkTopics(admin: Admin, o: ResolvedOptions, logger: ConsumerLogger): Promise<void> {
  const existing = new Set(await admin.listTopics());
  o.topics.forEach((topic, i) => {
    if (!existing.has(topic)) throw new InvalidArgumentError(`topics[${i}]: topic "${topic}" does not exist`, { option: `topics[${i}]`, value: topic });
  });
  const missing = [...new Set(o.topics.map(o.deadLetterTopic))].filter((t) => !existing.has(t));
  if (missing.length > 0) logger.warn({ deadLetterTopics: missing }, 'dead-letter topics do not exist: a record that must be dead-lettered will pause its partition until they do');
}

/**
 * Resolve an explicit start position to each partition's floor (the next offset to read). When the group has
 * no active member its commits are set to it first, so every member starts there; a running group keeps its
 * progress, and the floors still keep earlier records from this member's handlers.
 * @throws OffsetOutOfRangeError (policy 'fail'); CONNECTION when the broker cannot be asked.
 */
export async function applyStartPosition(kafka: Kafka, admin: Admin, o: ResolvedOptions, logger: ConsumerLogger): Promise<Map<string, bigint>> {
  if (o.from.kind === 'latest') {
    await pinLatest(kafka, admin, o, logger);
    return new Map();
  }
  const floors = await resolveStartPosition(o.from, o.topics, adminOffsetLookup(admin), o.onOutOfRange);
  if (floors.size === 0) return floors;
  const offsets = [...floors].map(([key, offset]) => ({ ...fromPartitionKey(key), offset }));
  const set = await setEmptyGroupOffsets(kafka, admin, o.groupId, offsets).catch((error: unknown) => {
    throw asTributaryError(error, `Setting the start position of group "${o.groupId}"`, { groupId: o.groupId });
  });
  logger.info(
    { groupId: o.groupId, partitions: floors.size, repositioned: set },
    set ? 'group commits set to the start position' : 'group has active members: it keeps its commits; records before the start position are still never handled here',
  );
  return floors;
}

/**
 * 'latest' means the end as start() found it, not as the first fetch finds it (kafkajs resolves its reset policy
 * lazily, so records written right after start() resolved could be skipped): partitions the group has no commit
 * for get the high watermark committed, when the group has no active member.
 */
async function pinLatest(kafka: Kafka, admin: Admin, o: ResolvedOptions, logger: ConsumerLogger): Promise<void> {
  const committed = await admin.fetchOffsets({ groupId: o.groupId, topics: [...o.topics] });
  const offsets: Array<{ topic: string; partition: number; offset: bigint }> = [];
  for (const topic of o.topics) {
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const r of await admin.fetchTopicOffsets(topic)) {
      const c = mine.find((p) => p.partition === r.partition)?.offset;
      if (c === undefined || c === '-1') offsets.push({ topic, partition: r.partition, offset: BigInt(r.high) });
    }
  }
  if (offsets.length === 0) return;
  const set = await setEmptyGroupOffsets(kafka, admin, o.groupId, offsets).catch((error: unknown) => {
    throw asTributaryError(error, `Setting the start position of group "${o.groupId}"`, { groupId: o.groupId });
  });
  logger.debug({ groupId: o.groupId, partitions: offsets.length, pinned: set }, "partitions with no commit pinned at their end ('latest')");
}

/**
 * The next offset of each partition a seek names, checked against its range ('earliest' and 'latest' name
 * every partition of every topic read).
 * @throws OffsetOutOfRangeError (policy 'fail').
 */
export async function seekTargets(admin: Admin, parsed: ParsedStart, o: ResolvedOptions): Promise<Map<string, bigint>> {
  if (parsed.kind !== 'earliest' && parsed.kind !== 'latest') return resolveStartPosition(parsed, o.topics, adminOffsetLookup(admin), o.onOutOfRange);
  const targets = new Map<string, bigint>();
  for (const topic of o.topics) {
    for (const r of await admin.fetchTopicOffsets(topic)) targets.set(partitionKey(topic, r.partition), BigInt(parsed.kind === 'earliest' ? r.low : r.high));
  }
  return targets;
}

/**
 * Where this member starts reading partitions just assigned to it: the group's commit, or with none the start
 * of the log (the end for `from: 'latest'`), and never below the partition's floor (the start position or the
 * last seek), so no record before it reaches a handler.
 */
export async function positionsOnAssignment(admin: Admin, o: ResolvedOptions, assigned: readonly TopicPartition[], seeks: SeekState): Promise<Array<TopicPartition & { next: bigint }>> {
  const topics = [...new Set(assigned.map((p) => p.topic))];
  const committed = await admin.fetchOffsets({ groupId: o.groupId, topics });
  const lookup = adminOffsetLookup(admin);
  const ranges = new Map<string, PartitionRange[]>();
  const out: Array<TopicPartition & { next: bigint }> = [];
  for (const p of assigned) {
    const c = committed.find((t) => t.topic === p.topic)?.partitions.find((q) => q.partition === p.partition)?.offset;
    let next: bigint;
    if (c !== undefined && c !== '-1') next = BigInt(c);
    else {
      if (!ranges.has(p.topic)) ranges.set(p.topic, await lookup.ranges(p.topic));
      const range = ranges.get(p.topic)!.find((r) => r.partition === p.partition);
      next = (o.from.kind === 'latest' ? range?.high : range?.low) ?? 0n;
    }
    const floor = seeks.floor(p.topic, p.partition);
    out.push({ topic: p.topic, partition: p.partition, next: floor !== undefined && next < floor ? floor : next });
  }
  return out;
}

/** Where to read a partition whose position `next` lies outside its log: the nearer end of the log. */
export async function nearestInLog(admin: Admin, p: TopicPartition & { readonly next: bigint }): Promise<bigint> {
  const range = (await adminOffsetLookup(admin).ranges(p.topic)).find((r) => r.partition === p.partition);
  if (!range) throw new TributaryError(ErrorCodes.CONNECTION, `No offsets for ${partitionName(p)}`, { retriable: true });
  return p.next < range.low ? range.low : range.high;
}
