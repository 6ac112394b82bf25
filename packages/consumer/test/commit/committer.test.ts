import { describe, expect, it } from 'vitest';
import { Committer, type OffsetToCommit } from '../../src/commit/committer.js';

const tp = (partition: number) => ({ topic: 't', partition });

function settle(c: Committer, partition: number, ...offsets: bigint[]): void {
  const tracker = c.tracker('t', partition)!;
  for (const o of offsets) tracker.settleThrough(o);
}

describe('Committer', () => {
  it('commits the settled offsets of owned partitions only', async () => {
    const c = new Committer();
    c.assign([tp(0), tp(1)]);
    settle(c, 0, 0n, 1n);
    settle(c, 1, 5n);
    const sent: OffsetToCommit[][] = [];
    expect(await c.commit(async (o) => void sent.push([...o]))).toEqual([{ topic: 't', partition: 0, offset: 2n }, { topic: 't', partition: 1, offset: 6n }]);
    expect(await c.commit(async (o) => void sent.push([...o]))).toEqual([]);
    expect(sent).toHaveLength(1);
    c.assign([tp(1)]);
    expect(c.tracker('t', 0)).toBeUndefined();
    expect(c.pending()).toEqual([]);
  });

  it('counts nothing as committed when the sink fails, and tries again next time', async () => {
    const c = new Committer();
    c.assign([tp(0)]);
    settle(c, 0, 0n);
    await expect(c.commit(async () => { throw new Error('rebalancing'); })).rejects.toThrow('rebalancing');
    expect(c.pending()).toEqual([{ topic: 't', partition: 0, offset: 1n }]);
    expect(await c.commit(async () => {})).toHaveLength(1);
    expect(c.lastCommitted('t', 0)).toBe(1n);
  });

  it('runs one commit at a time, in order', async () => {
    const c = new Committer();
    c.assign([tp(0)]);
    settle(c, 0, 0n);
    const order: string[] = [];
    let release!: () => void;
    const first = c.commit(() => new Promise<void>((r) => { order.push('first'); release = r; }));
    await Promise.resolve();
    settle(c, 0, 1n);
    const second = c.commit(async (o) => void order.push(`second ${o[0]!.offset}`));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['first']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second 2']);
  });

  it('keeps commits forward across assignments', async () => {
    const c = new Committer();
    c.assign([tp(0)]);
    settle(c, 0, 0n, 1n, 2n);
    await c.commit(async () => {});
    // After a rebalance the partition is fetched again from an older commit: nothing goes back.
    c.assign([tp(0)]);
    settle(c, 0, 1n);
    expect(c.pending()).toEqual([]);
  });

  it('commits each offset with the leader epoch of the record before it, where known', async () => {
    const c = new Committer();
    c.assign([tp(0), tp(1)]);
    c.tracker('t', 0)!.settleThrough(3n, 5);
    settle(c, 1, 7n);
    expect(await c.commit(async () => {})).toEqual([{ topic: 't', partition: 0, offset: 4n, leaderEpoch: 5 }, { topic: 't', partition: 1, offset: 8n }]);
  });
});
