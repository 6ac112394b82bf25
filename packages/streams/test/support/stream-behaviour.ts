import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type LogTransport } from '@tributary/kafka';
import { createStreams, type StreamDelivery, type Streams } from '@tributary/streams';

/** A listener that keeps what it receives. */
export function collector() {
  const got: StreamDelivery[] = [];
  return { got, put: (d: StreamDelivery) => void got.push(d), messages: () => got.map((d) => (d.action === 'close' ? 'close' : d.message)) };
}

export async function until(probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The seed's behaviour, run by every log a hub can stand on: in memory (streams.test.ts) and on the broker
 * (streams.kafka.test.ts). `log()` gives a fresh log (new topics); `hubOn` a hub on one, as another process would.
 */
export function streamBehaviour(name: string, log: () => Promise<{ transport: LogTransport; prefix?: string }>): void {
  describe(`streams: the seed's behaviour (${name})`, () => {
    const hubs: Streams[] = [];
    const make = (on: { transport: LogTransport; prefix?: string }) => {
      const hub = createStreams({ transport: on.transport, prefix: on.prefix, logger: silentLogger });
      hubs.push(hub);
      return hub;
    };
    afterEach(async () => {
      await Promise.all(hubs.splice(0).map((h) => h.closeHub()));
    });

    it('gives a listener the header first, then every later put in order, then close', async () => {
      const hub = make(await log());
      await hub.put('job-1', 'before the header');
      await hub.setHeader('job-1', { status: 'running', done: 2 });
      await hub.put('job-1', 'p1');
      const l = collector();
      const sub = await hub.listen('job-1', l);
      expect(sub.recovered).toBe(true);
      await hub.put('job-1', 'p2');
      await hub.close('job-1');
      await until(() => l.got.at(-1)?.action === 'close');
      expect(l.messages()).toEqual([{ status: 'running', done: 2 }, 'p1', 'p2', 'close']);
      expect(l.got[0]!.action).toBe('header');
    });

    it('without a header gives everything from the start; a stream not yet made is waited for', async () => {
      const transport = await log();
      const hub = make(transport);
      await hub.put('s', 1);
      await hub.put('s', 2);
      const early = collector();
      await hub.listen('s', early);
      const waiting = collector();
      await hub.listen('later', waiting);
      const other = make(transport);
      await other.put('later', 'a');
      await other.put('later', 'b');
      await until(() => early.got.length === 2 && waiting.got.length === 2);
      expect(early.messages()).toEqual([1, 2]);
      expect(waiting.messages()).toEqual(['a', 'b']);
    });

    it('gives two listeners one order, and hangs up one stream or every stream', async () => {
      const hub = make(await log());
      const [a, b] = [collector(), collector()];
      await hub.listen('x', a);
      await hub.listen('x', b);
      await hub.listen('y', a);
      await Promise.all(Array.from({ length: 50 }, (_, i) => hub.put(i % 2 ? 'x' : 'y', i)));
      await until(() => a.got.length === 50 && b.got.length === 25);
      expect(a.got.filter((d) => d.stream === 'x').map((d) => d.action !== 'close' && d.message)).toEqual(b.messages());
      expect(b.messages()).toEqual(Array.from({ length: 25 }, (_, i) => i * 2 + 1));
      await hub.hangup('x', a);
      await hub.put('x', 'after x hangup');
      await hub.put('y', 'y still');
      await until(() => b.got.length === 26 && a.got.length === 51);
      expect(a.got.at(-1)).toMatchObject({ stream: 'y', message: 'y still' });
      await hub.hangup(null, a);
      await hub.put('y', 'after all hangup');
      await hub.put('x', 'x again');
      await until(() => b.got.length === 27);
      expect(a.got).toHaveLength(51);
    });

    it('delete sends close to listeners and forgets the stream: a new one has a new epoch', async () => {
      const hub = make(await log());
      await hub.setHeader('d', 'h1');
      const l = collector();
      await hub.listen('d', l);
      await hub.put('d', 'm');
      await hub.delete('d');
      await until(() => l.got.at(-1)?.action === 'close');
      const epoch1 = (l.got[0] as { position: { epoch: string } }).position.epoch;
      await hub.put('d', 'fresh');
      const again = collector();
      await hub.listen('d', again, { from: 'start' });
      await until(() => again.got.length === 1);
      expect(again.messages()).toEqual(['fresh']);
      expect((again.got[0] as { position: { epoch: string } }).position.epoch).not.toBe(epoch1);
    });

    it('resumes from a stored position with recovered: true, and from a position of another epoch with the header', async () => {
      const hub = make(await log());
      await hub.setHeader('r', 'h');
      const first = collector();
      await hub.listen('r', first);
      for (let i = 0; i < 5; i++) await hub.put('r', i);
      await until(() => first.got.length === 6);
      const stored = (first.got[2] as { position: { epoch: string; offset: string } }).position;
      const resumed = collector();
      const sub = await hub.listen('r', resumed, { from: stored });
      expect(sub.recovered).toBe(true);
      await until(() => resumed.got.length === 3);
      expect(resumed.messages()).toEqual([2, 3, 4]);
      const stale = collector();
      const staleSub = await hub.listen('r', stale, { from: { epoch: 'gone', offset: '1' } });
      expect(staleSub.recovered).toBe(false);
      await until(() => stale.got.length === 1);
      expect(stale.got[0]).toMatchObject({ action: 'header', message: 'h' });
    });

    it('drops a listener that falls too far behind, telling it why, and keeps the others', async () => {
      const hub = make(await log());
      const stuck: StreamDelivery[] = [];
      const slow = { put: (d: StreamDelivery) => (stuck.push(d), d.action === 'close' ? undefined : new Promise<void>(() => {})) };
      const fast = collector();
      await hub.listen('busy', slow, { maxQueued: 10 });
      await hub.listen('busy', fast);
      await Promise.all(Array.from({ length: 100 }, (_, i) => hub.put('busy', i)));
      await until(() => fast.got.length === 100 && stuck.some((d) => d.action === 'close'));
      expect(stuck.at(-1)).toMatchObject({ action: 'close', reason: expect.stringContaining('slow listener') });
      expect(fast.messages()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });

    it('gives a listener still taking earlier puts when the stream closes every one of them, then the close: no gap, no duplicate', async () => {
      const hub = make(await log());
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const behind: StreamDelivery[] = [];
      const pace = collector();
      await hub.listen('behind', { put: (d: StreamDelivery) => (behind.push(d), gate) });
      await hub.listen('behind', pace);
      for (let i = 0; i < 200; i++) await hub.put('behind', i);
      await hub.close('behind');
      // The close has been read (the other listener has it) while this one still waits on its first put.
      await until(() => pace.got.at(-1)?.action === 'close');
      expect(behind).toHaveLength(1);
      open();
      await until(() => behind.at(-1)?.action === 'close', 5000).catch(() => {});
      const seqs = behind.filter((d) => d.action === 'put').map((d) => d.message as number);
      const expected = Array.from({ length: 200 }, (_, i) => i);
      const missing = expected.filter((i) => !seqs.includes(i));
      const extra = seqs.filter((seq, at) => seqs.indexOf(seq) !== at || !expected.includes(seq));
      expect({ missing, extra, last: behind.at(-1)?.action }).toEqual({ missing: [], extra: [], last: 'close' });
      expect(seqs).toEqual(expected);
    });

    it('names a bad stream name or position', async () => {
      const hub = make(await log());
      await expect(hub.put('', 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(hub.listen('a\nb', collector())).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(hub.listen('ok', collector(), { from: { epoch: 'e', offset: '-1' } })).rejects.toThrow(/stream position/);
      expect(() => createStreams({ transport: { connect: () => Promise.reject(new Error('never connected')) }, maxQueued: 0 })).toThrow(/maxQueued/);
    });
  });
}
