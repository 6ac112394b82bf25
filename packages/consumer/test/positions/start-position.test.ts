import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { EventOffset, isTributaryError, Position } from '@tributary/core';
import { OffsetOutOfRangeError } from '../../src/errors.js';
import type { OffsetLookup } from '@tributary/kafka';
import { clampToRange, parseStartPosition, resolveStartPosition, timeMillis } from '../../src/positions/start-position.js';

// Two partitions: 0 holds offsets 10..99 (older ones deleted), 1 holds 0..49. Record i of a partition was
// written at minute i.
const lookup: OffsetLookup = {
  async ranges() {
    return [{ partition: 0, low: 10n, high: 100n }, { partition: 1, low: 0n, high: 50n }];
  },
  async offsetsForTime(_topic, millis) {
    const minute = BigInt(Math.ceil(millis / 60_000));
    return [{ partition: 0, offset: minute < 100n ? minute : 100n }, { partition: 1, offset: minute < 50n ? minute : 50n }];
  },
};
const key = (p: number) => `t\u0000${p}`;

describe('start positions', () => {
  it('parses each form, and refuses others naming the option', () => {
    expect(parseStartPosition('earliest', 'from')).toEqual({ kind: 'earliest' });
    expect(parseStartPosition(EventOffset.of('t', 1, 7), 'from')).toEqual({ kind: 'position', position: Position.of([{ topic: 't', partition: 1, next: 7n }]) });
    expect(parseStartPosition(new Date(Date.UTC(2024, 0, 1)), 'from')).toEqual({ kind: 'time', millis: Date.UTC(2024, 0, 1) });
    expect(parseStartPosition(DateTime.fromMillis(5), 'from')).toEqual({ kind: 'time', millis: 5 });
    expect(() => parseStartPosition('t:0@x', 'seek')).toThrow(/^seek: /);
    expect(() => parseStartPosition('later', 'from')).toThrow(/from must be 'earliest'/);
    expect(timeMillis('not a time')).toBeUndefined();
  });

  it('resolves a Position, leaving partitions it does not name alone', async () => {
    const start = parseStartPosition('t:1@20', 'from');
    expect(await resolveStartPosition(start, ['t'], lookup, 'fail')).toEqual(new Map([[key(1), 20n]]));
  });

  it('refuses a Position naming a partition the topic does not have, whatever the out-of-range policy', async () => {
    for (const policy of ['fail', 'earliest'] as const) {
      const error = await resolveStartPosition(parseStartPosition('t:1@20,t:2@0', 'position'), ['t'], lookup, policy).catch((e: unknown) => e);
      expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toBe('Start position t:2@0 names partition 2, but topic "t" has partitions 0 to 1');
      expect((error as { context: object }).context).toMatchObject({ topic: 't', partition: 2, partitions: 2 });
    }
  });

  it('resolves a time per partition through offsets-for-times, within each range', async () => {
    const got = await resolveStartPosition({ kind: 'time', millis: 5 * 60_000 }, ['t'], lookup, 'fail');
    expect(got).toEqual(new Map([[key(0), 10n], [key(1), 5n]]));
    const late = await resolveStartPosition({ kind: 'time', millis: 1e12 }, ['t'], lookup, 'fail');
    expect(late).toEqual(new Map([[key(0), 100n], [key(1), 50n]]));
  });

  it('fails on a position outside a range, naming the range, or resets as told', async () => {
    const error = await resolveStartPosition(parseStartPosition('t:0@5', 'from'), ['t'], lookup, 'fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OffsetOutOfRangeError);
    expect(isTributaryError(error, 'OFFSET_OUT_OF_RANGE')).toBe(true);
    expect((error as OffsetOutOfRangeError).context).toEqual({ topic: 't', partition: 0, offset: '5', low: '10', high: '100' });
    expect((error as Error).message).toMatch(/t:0@5 is outside the partition's range 10 to 100/);
    expect(await resolveStartPosition(parseStartPosition('t:0@5,t:1@500', 'from'), ['t'], lookup, 'earliest')).toEqual(new Map([[key(0), 10n], [key(1), 0n]]));
    expect(await resolveStartPosition(parseStartPosition('t:0@5,t:1@500', 'from'), ['t'], lookup, 'latest')).toEqual(new Map([[key(0), 100n], [key(1), 50n]]));
  });

  it('takes the high watermark as in range ("after the last record")', () => {
    expect(clampToRange('Seek', 't', { partition: 0, low: 0n, high: 9n }, 9n, 'fail')).toBe(9n);
    expect(() => clampToRange('Seek', 't', { partition: 0, low: 0n, high: 9n }, 10n, 'fail')).toThrow(OffsetOutOfRangeError);
  });

  it("needs nothing for 'earliest' and 'latest': the group's reset policy applies", async () => {
    expect((await resolveStartPosition({ kind: 'latest' }, ['t'], lookup, 'fail')).size).toBe(0);
  });
});
