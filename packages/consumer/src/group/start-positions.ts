import type { Admin } from 'kafkajs';
import type { DateTime } from 'luxon';
import { ErrorCodes, InvalidArgumentError, Position, TributaryError } from '@tributary/core';
import { toMillis } from '../replay/replay-source.js';

/** Where a consumer group starts: the ends, a stored Position (or its text), or a time. */
export type StartPosition = 'earliest' | 'latest' | Position | string | DateTime | Date;

/** What to do with a position outside a partition's range. Default 'fail'. */
export type OutOfRangePolicy = 'fail' | 'earliest' | 'latest';

/**
 * Resolve a start position to one offset per partition of `topics` (the next offset to read), checked against
 * each partition's range. Returns undefined for 'earliest' and 'latest', which the consumer's own reset
 * policy handles.
 * @throws TributaryError OFFSET_OUT_OF_RANGE naming the partition and its valid range (policy 'fail').
 */
export async function resolveStartPositions(admin: Admin, topics: readonly string[], start: StartPosition, policy: OutOfRangePolicy): Promise<Map<string, bigint> | undefined> {
  if (start === 'earliest' || start === 'latest') return undefined;
  const floors = new Map<string, bigint>();
  const position = start instanceof Position ? start : typeof start === 'string' && start.includes('@') ? Position.parse(start) : undefined;
  for (const topic of topics) {
    const ranges = await admin.fetchTopicOffsets(topic);
    const byTime = position ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, millisOf(start));
    for (const range of ranges) {
      const low = BigInt(range.low);
      const high = BigInt(range.high);
      let offset: bigint | undefined;
      if (position) offset = position.get(topic, range.partition);
      else {
        const found = BigInt(byTime!.find((p) => p.partition === range.partition)?.offset ?? '-1');
        offset = found < 0n ? high : found;
      }
      if (offset === undefined) continue;
      if (offset < low || offset > high) {
        if (policy === 'fail') {
          throw new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Start position ${topic}:${range.partition}@${offset} is outside the partition's range ${low} to ${high} (set onOutOfRange to 'earliest' or 'latest' to reset instead)`, {
            context: { topic, partition: range.partition, offset: offset.toString(), low: low.toString(), high: high.toString() },
          });
        }
        offset = policy === 'earliest' ? low : high;
      }
      floors.set(`${topic}\u0000${range.partition}`, offset);
    }
  }
  return floors;
}

function millisOf(start: StartPosition): number {
  const millis = toMillis(start as DateTime | Date | string);
  if (!Number.isFinite(millis)) {
    throw new InvalidArgumentError(`Invalid start position ${JSON.stringify(String(start))}: expected 'earliest', 'latest', a Position, a DateTime, a Date or an ISO time`, { option: 'from' });
  }
  return millis;
}

/** Set the group's committed offsets to the start positions, when no member is active (else a no-op). */
export async function commitStartPositions(admin: Admin, groupId: string, floors: Map<string, bigint>): Promise<boolean> {
  const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const [key, offset] of floors) {
    const [topic, partition] = key.split('\u0000') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition: Number(partition), offset: offset.toString() }]);
  }
  try {
    for (const [topic, partitions] of byTopic) await admin.setOffsets({ groupId, topic, partitions });
    return true;
  } catch {
    // The group has active members: the floors in eachBatch still keep earlier records from any handler.
    return false;
  }
}
