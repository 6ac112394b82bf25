import { describe, expect, it } from 'vitest';
import { EventHeaders, type EventRecord } from '../../src/envelope/record.js';
import { Event } from '../../src/event/event.js';
import { EventOffset } from '../../src/offset/event-offset.js';
import type { StoredRecord } from '../../src/offset/stored-record.js';
import { checkLog, emptyLogReport } from '../../src/testing/log-report.js';

function stored(event: Event, partition: number, offset: bigint): StoredRecord {
  const record: EventRecord = { key: Buffer.from(event.key), value: Buffer.alloc(0), headers: { [EventHeaders.id]: Buffer.from(event.id) }, timestamp: '0' };
  return { offset: EventOffset.of('t', partition, offset), record };
}

function written(count: number): { sent: Event[]; log: StoredRecord[] } {
  const sent = Array.from({ length: count }, (_, i) => Event.create({ category: 'a', key: `k${i % 2}`, payload: i }).withOffset(EventOffset.of('t', i % 2, BigInt(i >> 1))));
  return { sent, log: sent.map((e) => stored(e, e.offset!.partition, e.offset!.offset)) };
}

describe('checkLog', () => {
  it('finds nothing wrong with a correct log, whatever the order it is read in', () => {
    const { sent, log } = written(10);
    expect(checkLog(sent, [...log].reverse())).toEqual(emptyLogReport());
  });

  it('lists missing, extra and duplicate ids', () => {
    const { sent, log } = written(6);
    const stranger = Event.create({ category: 'a', key: 'k0', payload: null });
    const report = checkLog(sent, [...log.slice(1), log[3]!, stored(stranger, 0, 3n)], { contiguous: false });
    expect(report.missing).toEqual([sent[0]!.id]);
    expect(report.extra).toEqual([stranger.id]);
    expect(report.duplicates).toEqual([sent[3]!.id]);
  });

  it('lists gaps, offsets that differ from those returned, and per-key order violations', () => {
    const { sent, log } = written(6);
    const swapped = [stored(sent[0]!, 0, 0n), stored(sent[4]!, 0, 1n), stored(sent[2]!, 0, 3n), ...log.filter((s) => s.offset.partition === 1)];
    const report = checkLog(sent, swapped);
    expect(report.gaps).toEqual(['t:0: 1 then 3']);
    expect(report.offsetMismatches).toEqual([`${sent[2]!.id}: t:0@1 != t:0@3`, `${sent[4]!.id}: t:0@2 != t:0@1`]);
    expect(report.orderViolations).toEqual([`k0: expected [${sent[0]!.id}, ${sent[2]!.id}, ${sent[4]!.id}] got [${sent[0]!.id}, ${sent[4]!.id}, ${sent[2]!.id}]`]);
  });

  it('reports a key spread over two partitions', () => {
    const { sent } = written(2);
    const same = [sent[0]!, Event.create({ category: 'a', key: 'k0', payload: 1 }).withOffset(EventOffset.of('t', 1, 0n))];
    const report = checkLog(same, [stored(same[0]!, 0, 0n), stored(same[1]!, 1, 0n)]);
    expect(report.orderViolations).toEqual(['k0: spread over partitions 0, 1']);
  });
});
