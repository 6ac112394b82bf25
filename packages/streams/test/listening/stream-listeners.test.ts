import { describe, expect, it } from 'vitest';
import { silentLogger, type PartitionTail, type StoredLogRecord } from '@tributary/kafka';
import type { StreamDelivery } from '@tributary/streams';
import { ListenerQueue } from '../../src/listening/listener-queue.js';
import { StreamListeners, type ListenerState } from '../../src/listening/stream-listeners.js';
import { StreamHeaders } from '../../src/wire/record-headers.js';

const json = { name: 'json', encode: (m: unknown) => Buffer.from(JSON.stringify(m)), decode: (b: Buffer) => JSON.parse(b.toString()) as unknown };

function record(offset: number, stream: string, action = 'put'): StoredLogRecord {
  return { offset: BigInt(offset), timestamp: '0', key: Buffer.from(stream), value: Buffer.from(JSON.stringify(offset)), headers: { [StreamHeaders.action]: Buffer.from(action), [StreamHeaders.epoch]: Buffer.from('e'), [StreamHeaders.codec]: Buffer.from('json') } };
}

const range = (from: number, next: number) => ({ from: BigInt(from), next: BigInt(next) });
// A record's stream is a function of its offset, so every read of an offset sees the same record.
const records = (from: number, next: number) => Array.from({ length: next - from }, (_, i) => record(from + i, (from + i) % 3 === 2 ? 'other' : 's'));

function listenerAt(next: number): ListenerState & { got: number[] } {
  const got: number[] = [];
  const listener = { put: (d: StreamDelivery) => void (d.action === 'put' && got.push(d.message as number)) };
  return { stream: 's', partition: 0, listener, queue: new ListenerQueue(listener, 1000, () => {}), next: BigInt(next), epoch: 'e', started: true, got };
}

/** A listener whose first put waits until `open()`: it falls behind the stream, as a client behind a full socket does. */
function gatedListenerAt(next: number): ListenerState & { got: Array<number | 'close'>; open: () => void } {
  const got: Array<number | 'close'> = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const listener = { put: (d: StreamDelivery) => (got.push(d.action === 'close' ? 'close' : (d.message as number)), gate) };
  return { stream: 's', partition: 0, listener, queue: new ListenerQueue(listener, 1000, () => {}), next: BigInt(next), epoch: 'e', started: true, got, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('stream listeners', () => {
  const rewinds: bigint[] = [];
  const tail = { rewind: (_p: number, o: bigint) => void rewinds.push(o), unfollow: () => {} } as unknown as PartitionTail;

  it('a listener that joined at an older offset takes no part in reads that began after it, and gets each record once when the rewound read comes', async () => {
    const listeners = new StreamListeners(tail, () => json, silentLogger);
    const live = listenerAt(10);
    listeners.add(live);
    await listeners.onRecords(0, records(10, 20), range(10, 20));
    const late = listenerAt(5);
    listeners.add(late);
    expect(rewinds.at(-1)).toBe(5n);
    // The live read goes on from 20: the late listener lacks 5..19 and must not start at 20.
    await listeners.onRecords(0, records(20, 25), range(20, 25));
    expect(late.got).toEqual([]);
    // The rewound read covers 5..24: the late one gets all of it, the live one nothing twice.
    await listeners.onRecords(0, records(5, 25), range(5, 25));
    await listeners.onRecords(0, records(25, 28), range(25, 28));
    expect(late.got).toEqual(records(5, 28).filter((r) => r.key!.toString() === 's').map((r) => Number(r.offset)));
    expect(live.got).toEqual([...records(10, 20), ...records(20, 25), ...records(25, 28)].filter((r) => r.key!.toString() === 's').map((r) => Number(r.offset)));
    expect(new Set(live.got).size).toBe(live.got.length);
  });

  it('moves past records of other streams, so the next read starting where the last ended still covers it', async () => {
    const listeners = new StreamListeners(tail, () => json, silentLogger);
    const l = listenerAt(0);
    listeners.add(l);
    await listeners.onRecords(0, [record(0, 'other'), record(1, 'other')], range(0, 2));
    expect(l.next).toBe(2n);
    await listeners.onRecords(0, [record(2, 's')], range(2, 3));
    expect(l.got).toEqual([2]);
  });

  describe('a stream that closes while its listener is still taking what came before', () => {
    // Read at once, the puts and the close reach the queue while the listener still waits on its first put.
    const closedStream = () => [...Array.from({ length: 5 }, (_, i) => record(i, 's')), record(5, 's', 'close')];

    it('hands over every put, then the close, each once, and lets the listener go only after', async () => {
      const unfollowed: number[] = [];
      const tail = { rewind: () => {}, unfollow: (p: number) => void unfollowed.push(p) } as unknown as PartitionTail;
      const listeners = new StreamListeners(tail, () => json, silentLogger);
      const slow = gatedListenerAt(0);
      listeners.add(slow);
      await listeners.onRecords(0, closedStream(), range(0, 6));
      await settle();
      expect(slow.got).toEqual([0]);
      // Still a listener: a hangup now would still stop it.
      expect(listeners.all()).toEqual([slow]);
      expect(unfollowed).toEqual([]);
      slow.open();
      await slow.queue.finished;
      await settle();
      expect(slow.got).toEqual([0, 1, 2, 3, 4, 'close']);
      expect(listeners.all()).toEqual([]);
      expect(unfollowed).toEqual([0]);
    });

    it('takes no record read again meanwhile, and a hangup stops it at once', async () => {
      const tail = { rewind: () => {}, unfollow: () => {} } as unknown as PartitionTail;
      const listeners = new StreamListeners(tail, () => json, silentLogger);
      const slow = gatedListenerAt(0);
      listeners.add(slow);
      await listeners.onRecords(0, closedStream(), range(0, 6));
      // A read from an older offset (another listener joined there) reaches the closed one's stream again.
      await listeners.onRecords(0, closedStream(), range(0, 6));
      expect(slow.queue.queued).toBe(5);
      listeners.remove(slow);
      slow.open();
      await slow.queue.finished;
      await settle();
      expect(slow.got).toEqual([0]);
    });
  });
});
