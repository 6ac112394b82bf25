import { describe, expect, it } from 'vitest';
import { PartitionCommitTracker } from '../../src/commit/commit-tracker.js';

describe('PartitionCommitTracker', () => {
  it('commits one past the settled prefix, whatever order handling settles in', () => {
    const t = new PartitionCommitTracker();
    for (const o of [5n, 6n, 7n, 8n]) t.track(o);
    expect(t.toCommit()).toBeUndefined();
    t.settle(7n);
    expect(t.toCommit()).toBeUndefined();
    t.settle(5n);
    expect(t.toCommit()).toBe(6n);
    t.settle(6n);
    expect(t.toCommit()).toBe(8n);
    t.settle(8n);
    expect(t.toCommit()).toBe(9n);
    expect(t.inFlight).toBe(0);
  });

  it('only moves forward: nothing to commit again once committed', () => {
    const t = new PartitionCommitTracker();
    t.track(0n);
    t.settle(0n);
    t.committed(1n);
    expect(t.toCommit()).toBeUndefined();
    t.committed(0n);
    expect(t.lastCommitted).toBe(1n);
  });

  it('steps over gaps in fetched offsets', () => {
    const t = new PartitionCommitTracker();
    t.track(10n);
    t.track(14n);
    t.settle(14n);
    expect(t.toCommit()).toBeUndefined();
    t.settle(10n);
    expect(t.toCommit()).toBe(15n);
  });

  it('is exact beyond 2^53', () => {
    const big = 2n ** 62n + 1n;
    const t = new PartitionCommitTracker();
    t.track(big);
    t.settle(big);
    expect(t.toCommit()).toBe(big + 1n);
  });

  it('never commits past an unsettled offset (random settle orders)', () => {
    for (let run = 0; run < 200; run++) {
      const t = new PartitionCommitTracker();
      const offsets = Array.from({ length: 20 }, (_, i) => BigInt(i * 2));
      offsets.forEach((o) => t.track(o));
      const order = [...offsets].sort(() => Math.random() - 0.5);
      const settled = new Set<bigint>();
      for (const o of order) {
        t.settle(o);
        settled.add(o);
        const c = t.toCommit();
        if (c !== undefined) for (const x of offsets) if (x < c) expect(settled.has(x)).toBe(true);
      }
      expect(t.toCommit()).toBe(39n);
    }
  });

  it('rejects offsets tracked out of order', () => {
    const t = new PartitionCommitTracker();
    t.track(3n);
    expect(() => t.track(3n)).toThrow(RangeError);
  });
});

describe('PartitionCommitTracker seeks and restarts', () => {
  it('takes a seek target as the position to commit, forward only', () => {
    const t = new PartitionCommitTracker(10n);
    t.track(10n);
    t.seekTo(50n);
    expect(t.inFlight).toBe(0);
    expect(t.toCommit()).toBe(50n);
    t.committed(50n);
    // Backward: nothing to commit until handling passes the last commit again.
    t.seekTo(0n);
    t.track(0n);
    t.settle(0n);
    expect(t.toCommit()).toBeUndefined();
    for (let o = 1n; o <= 50n; o++) {
      t.track(o);
      t.settle(o);
    }
    expect(t.toCommit()).toBe(51n);
  });

  it('starts from what this process committed before, so a fresh tracker never commits backwards', () => {
    const t = new PartitionCommitTracker(20n);
    t.track(5n);
    t.settle(5n);
    expect(t.toCommit()).toBeUndefined();
    expect(t.lastCommitted).toBe(20n);
  });

  it('after reset, tracks the unsettled records again from the first of them', () => {
    const t = new PartitionCommitTracker();
    t.track(0n);
    t.track(1n);
    t.settle(0n);
    t.reset();
    t.track(1n);
    t.settle(1n);
    expect(t.toCommit()).toBe(2n);
  });
});
