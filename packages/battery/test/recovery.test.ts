import { describe, expect, it } from 'vitest';
import type { FaultRecord } from '../src/faults/faults.js';
import type { HistoryEntry } from '../src/history.js';
import { recoveryMs, summarizeRecovery } from '../src/recovery.js';

const T = 't';
const ack = (t: number, partition: number): HistoryEntry => ({ t, w: 'p', k: 'send', id: `p-${t}`, topic: T, status: 'ok', partition, offset: '0' });
const failed = (t: number): HistoryEntry => ({ t, w: 'p', k: 'send', id: `p-${t}`, topic: T, status: 'failed' });
const deliver = (t: number, partition: number): HistoryEntry => ({ t, w: 'm', k: 'deliver', member: 'm', gen: 1, topic: T, partition, offset: '0', id: 'x' });
const fault = (kind: FaultRecord['kind'], from: number, partitions: number[]): FaultRecord => ({
  kind, target: '', startedAt: from, healedAt: from, recoveryFrom: from, partitions: partitions.map((partition) => ({ topic: T, partition })),
});

describe('recovery after a fault', () => {
  it('is the later of the first ack and the first delivery on the partitions hit, from the fault\'s moment', () => {
    const history = [ack(50, 0), deliver(60, 0), failed(120), ack(130, 1), ack(150, 0), deliver(170, 1), deliver(180, 0)];
    expect(recoveryMs(fault('leader-kill', 100, [0]), history)).toBe(80);
    expect(recoveryMs(fault('leader-kill', 100, [1]), history)).toBe(70);
  });

  it('counts deliveries alone after a member fault, and nothing when nothing came', () => {
    const history = [ack(110, 0), deliver(140, 0)];
    expect(recoveryMs(fault('member-killed', 100, [0]), history)).toBe(40);
    expect(recoveryMs(fault('member-killed', 100, [2]), history)).toBeUndefined();
  });

  it('summarizes by kind: count, median, worst and the faults never recovered from', () => {
    const history = [ack(110, 0), deliver(120, 0), ack(310, 0), deliver(340, 0)];
    const summary = summarizeRecovery([fault('rolling-restart', 100, [0]), fault('rolling-restart', 300, [0]), fault('rolling-restart', 400, [0])], history);
    expect(summary).toEqual([{ kind: 'rolling-restart', count: 3, p50: 20, max: 40, unrecovered: 1 }]);
  });
});
