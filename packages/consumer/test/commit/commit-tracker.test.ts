import { describe, expect, it } from 'vitest';
import { PartitionCommitTracker } from '../../src/commit/commit-tracker.js';

describe('PartitionCommitTracker', () => {
  it('commits one past the last settled offset, and nothing before anything settled', () => {
    const t = new PartitionCommitTracker();
    expect(t.toCommit()).toBeUndefined();
    t.settleThrough(5n);
    expect(t.toCommit()).toBe(6n);
    t.settleThrough(6n);
    t.settleThrough(7n);
    expect(t.toCommit()).toBe(8n);
  });

  it('only moves forward: nothing to commit again once committed', () => {
    const t = new PartitionCommitTracker();
    t.settleThrough(0n);
    t.committed(1n);
    expect(t.toCommit()).toBeUndefined();
    t.committed(0n);
    expect(t.lastCommitted).toBe(1n);
    t.settleThrough(1n);
    expect(t.toCommit()).toBe(2n);
  });

  it('steps over gaps in fetched offsets', () => {
    const t = new PartitionCommitTracker();
    t.settleThrough(10n);
    t.settleThrough(14n);
    expect(t.toCommit()).toBe(15n);
  });

  it('is exact beyond 2^53', () => {
    const big = 2n ** 62n + 1n;
    const t = new PartitionCommitTracker();
    t.settleThrough(big);
    expect(t.toCommit()).toBe(big + 1n);
  });

  it('refuses an offset below what already settled (records handled out of order)', () => {
    const t = new PartitionCommitTracker();
    t.settleThrough(3n);
    expect(() => t.settleThrough(2n)).toThrow(RangeError);
    expect(t.toCommit()).toBe(4n);
  });

  it('never offers a commit below the highest one made, whatever settles (random sequences)', () => {
    for (let run = 0; run < 200; run++) {
      const t = new PartitionCommitTracker();
      let offset = 0n;
      let highest = -1n;
      for (let i = 0; i < 30; i++) {
        offset += BigInt(1 + Math.floor(Math.random() * 3));
        t.settleThrough(offset);
        const c = t.toCommit();
        if (c !== undefined) {
          expect(c).toBe(offset + 1n);
          expect(c).toBeGreaterThan(highest);
          if (Math.random() < 0.5) t.committed((highest = c));
        }
      }
    }
  });
});

describe('PartitionCommitTracker seeks and restarts', () => {
  it('takes a seek target as the position to commit, forward only', () => {
    const t = new PartitionCommitTracker(10n);
    t.settleThrough(10n);
    t.seekTo(50n);
    expect(t.toCommit()).toBe(50n);
    t.committed(50n);
    // Backward: nothing to commit until handling passes the last commit again.
    t.seekTo(0n);
    t.settleThrough(0n);
    expect(t.toCommit()).toBeUndefined();
    for (let o = 1n; o <= 50n; o++) t.settleThrough(o);
    expect(t.toCommit()).toBe(51n);
  });

  it('starts from what this process committed before, so a fresh tracker never commits backwards', () => {
    const t = new PartitionCommitTracker(20n);
    t.settleThrough(5n);
    expect(t.toCommit()).toBeUndefined();
    expect(t.lastCommitted).toBe(20n);
  });

  it('commits back to where an unclean leader election truncated the log, below the last commit', () => {
    const t = new PartitionCommitTracker(20n);
    t.truncatedTo(15n);
    expect(t.toCommit()).toBe(15n);
    t.committed(15n);
    expect(t.lastCommitted).toBe(15n);
    t.settleThrough(15n);
    expect(t.toCommit()).toBe(16n);
    // A truncation at or above the last commit leaves the commit where it is until handling passes it.
    const u = new PartitionCommitTracker(10n);
    u.truncatedTo(12n);
    expect([u.toCommit(), u.lastCommitted]).toEqual([12n, 10n]);
  });

  it('settles past offsets with no record (markers after the last one), never moving back', () => {
    const t = new PartitionCommitTracker();
    t.settleThrough(4n);
    t.settlePast(8n);
    expect(t.toCommit()).toBe(8n);
    t.settlePast(6n);
    expect(t.toCommit()).toBe(8n);
    const fresh = new PartitionCommitTracker();
    fresh.settlePast(3n);
    expect(fresh.toCommit()).toBe(3n);
  });

  it('keeps the leader epoch of the record before the offset to commit, and forgets it where the position was moved', () => {
    const t = new PartitionCommitTracker();
    t.settleThrough(4n, 2);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([5n, 2]);
    t.settlePast(9n, 3);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([9n, 3]);
    // A settle that does not move the commit leaves its epoch.
    t.settlePast(7n, 1);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([9n, 3]);
    t.settleThrough(9n);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([10n, undefined]);
    t.settleThrough(10n, 4);
    t.seekTo(20n);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([20n, undefined]);
    t.settleThrough(20n, 4);
    t.truncatedTo(15n);
    expect([t.toCommit(), t.leaderEpoch]).toEqual([15n, undefined]);
  });
});
