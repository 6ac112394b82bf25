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

  it('counts, for a fault measured from its start, only an ack of a send begun after it, and a delivery after that ack', () => {
    const sent = (t: number, sentAt: number): HistoryEntry => ({ t, w: 'p', k: 'send', id: `p-${sentAt}`, topic: T, status: 'ok', partition: 0, offset: '0', sentAt });
    const handled = (t: number, id: string): HistoryEntry => ({ t, w: 'm', k: 'deliver', member: 'm', gen: 1, topic: T, partition: 0, offset: '0', id });
    // Begun before the kill, acknowledged and delivered after it; then one begun after it, and deliveries.
    const history = [sent(105, 90), handled(110, 'p-90'), sent(400, 300), handled(450, 'p-300')];
    expect(recoveryMs(fault('leader-kill', 100, [0]), history)).toBe(350);
    expect(recoveryMs(fault('leader-kill', 100, [0]), [...history.slice(0, 3), handled(420, 'p-91'), history[3]!])).toBe(320);
    // Measured from the heal, whatever was acknowledged after it counts.
    expect(recoveryMs({ ...fault('two-brokers-down', 100, [0]), startedAt: 50 }, history)).toBe(10);
  });

  it('after a stream listener restarted: the first put the new listener receives after its header, not the victim\'s', () => {
    const el = (t: number, w: string, header?: true): HistoryEntry => ({ t, w, k: 'stream', listener: 'l', incarnation: w, stream: 's', seq: 1, ...(header ? { header } : {}) });
    const history = [el(90, 'listener-1'), el(101, 'listener-1'), el(300, 'listener-2', true), el(320, 'listener-2')];
    expect(recoveryMs({ ...fault('listener-restarted', 100, []), victim: 'listener-1' }, history)).toBe(220);
  });

  it('after a command processor was killed: the first run by another processor of a command sent to its partitions', () => {
    const sent = (id: string, partition: number): HistoryEntry => ({ t: 10, w: 'c', k: 'command-send', ref: id, status: 'ok', id, partition, offset: '0' });
    const run = (t: number, id: string, w: string): HistoryEntry => ({ t, w, k: 'command-run', processor: w, id, type: 'battery-chain', ref: id });
    const history = [sent('a', 0), sent('b', 1), sent('c', 1), run(101, 'b', 'processor-1'), run(150, 'a', 'processor-2'), run(400, 'c', 'processor-2')];
    expect(recoveryMs({ ...fault('processor-killed', 100, [1]), victim: 'processor-1' }, history)).toBe(300);
    expect(recoveryMs({ ...fault('processor-killed', 500, [1]), victim: 'processor-1' }, history)).toBeUndefined();
  });

  it('summarizes by kind: count, median, worst and the faults never recovered from', () => {
    const history = [ack(110, 0), deliver(120, 0), ack(310, 0), deliver(340, 0)];
    const summary = summarizeRecovery([fault('rolling-restart', 100, [0]), fault('rolling-restart', 300, [0]), fault('rolling-restart', 400, [0])], history);
    expect(summary).toEqual([{ kind: 'rolling-restart', count: 3, p50: 20, max: 40, unrecovered: 1 }]);
  });
});
