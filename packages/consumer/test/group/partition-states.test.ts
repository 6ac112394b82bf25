import { describe, expect, it } from 'vitest';
import { PartitionStates } from '../../src/group/partition-states.js';

const p = (partition: number) => ({ topic: 't', partition });
const queued = { records: [], epoch: 0 };

function setup() {
  let wakes = 0;
  const states = new PartitionStates(() => void wakes++);
  return { states, wakes: () => wakes };
}

describe('PartitionStates', () => {
  it('reads assigned partitions from their offsets and forgets dropped ones, whose fetched records no longer count', () => {
    const { states, wakes } = setup();
    states.assign([{ ...p(0), next: 5n, lastEpoch: 2 }, { ...p(1), next: 0n }]);
    expect(wakes()).toBe(1);
    const s0 = states.get(p(0))!;
    expect(s0).toMatchObject({ next: 5n, lastEpoch: 2, epoch: 0, owned: true });
    s0.queued = queued;
    states.drop(p(0));
    expect(states.get(p(0))).toBeUndefined();
    expect(s0).toMatchObject({ owned: false, epoch: 1, queued: undefined });
  });

  it('moves the epoch at a seek and drops what was fetched, clearing the retry back-off', () => {
    const { states } = setup();
    states.assign([{ ...p(0), next: 5n, lastEpoch: 2 }]);
    const s = states.get(p(0))!;
    Object.assign(s, { queued, retryAt: Number.POSITIVE_INFINITY, failures: 4 });
    states.seek(s, 9n);
    expect(s).toMatchObject({ next: 9n, lastEpoch: undefined, epoch: 1, queued: undefined, retryAt: 0, failures: 0 });
  });

  it('rewinds only a partition still at the epoch the records were fetched in', () => {
    const { states } = setup();
    states.assign([{ ...p(0), next: 10n }]);
    const s = states.get(p(0))!;
    states.rewind(s, 0, 7n);
    expect(s).toMatchObject({ next: 7n, epoch: 1 });
    states.rewind(s, 0, 3n);
    expect(s.next).toBe(7n);
  });

  it('offers for fetching only partitions not queued, fetching, resetting, paused or waiting for a retry, and polls at the end only when idle', () => {
    const { states } = setup();
    states.assign([0, 1, 2, 3, 4, 5].map((i) => ({ ...p(i), next: 0n })));
    const now = 1000;
    Object.assign(states.get(p(0))!, { queued });
    Object.assign(states.get(p(1))!, { fetching: true });
    Object.assign(states.get(p(2))!, { resetting: true });
    Object.assign(states.get(p(3))!, { retryAt: now + 50 });
    Object.assign(states.get(p(4))!, { pollAt: now + 20 });
    const paused = (s: { partition: number }) => s.partition === 5;
    expect(states.fetchable(now, true, paused).map((s) => s.partition)).toEqual([]);
    expect(states.fetchable(now, false, paused).map((s) => s.partition)).toEqual([4]);
    expect(states.inFlight()).toBe(true);
    expect(states.anyQueued()).toBe(true);
    expect(states.msUntilDue(now, 1000)).toBe(20);
    expect(states.msUntilDue(now + 100, 1000)).toBe(1000);
  });

  it('hands out waiting partitions in turn, each moved to the back of the line', () => {
    const { states } = setup();
    states.assign([0, 1, 2].map((i) => ({ ...p(i), next: 0n })));
    for (const i of [0, 1, 2]) states.get(p(i))!.queued = queued;
    const first: number[] = [];
    for (const s of states.waitingInTurn()) {
      first.push(s.partition);
      s.working = true;
      if (first.length === 1) break;
    }
    expect(first).toEqual([0]);
    states.get(p(0))!.working = false;
    const next: number[] = [];
    for (const s of states.waitingInTurn()) {
      next.push(s.partition);
      s.working = true;
    }
    expect(next).toEqual([1, 2, 0]);
  });
});
