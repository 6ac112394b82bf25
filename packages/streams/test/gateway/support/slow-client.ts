import { expect, it } from 'vitest';
import { drain, freshStream, type SuiteContext } from './suite-helpers.js';

/** Messages of 16 KiB: enough to fill the kernel's socket buffers (a few MiB on loopback) several times over. */
const COUNT = 800;
const PADDING = 'x'.repeat(16 * 1024);

const seqs = (count: number) => Array.from({ length: count }, (_, i) => i);

/**
 * A client that stops reading must cost a bounded amount: the gateway's listener waits for the socket (so the
 * service holds the deliveries, and drops the listener with a reason past its `maxQueued`), or the gateway
 * cuts the client past `maxQueuedBytes`. Either way the client, reading at last, finds a gapless prefix and then
 * why it stopped (a `close` with a reason, a `slow-client` error, or the end of the connection), while another
 * client received everything and the gateway serves new ones.
 */
export function slowClientTest(ctx: () => SuiteContext): void {
  it('bounds a client that stops reading: dropped or cut with a reason, while other clients and the gateway go on', async () => {
    const s = freshStream();
    const slow = await ctx().raw();
    slow.request({ action: 'listen', stream: s, maxQueued: 20, id: 1 });
    await slow.answer(1);
    slow.stopReading();
    const [publisher, fast] = [await ctx().remote(), await ctx().remote()];
    const received = drain(await fast.listen(s));
    for (let seq = 0; seq < COUNT; seq++) await publisher.put(s, { seq, padding: PADDING });
    await publisher.close(s);
    const all = await received;
    expect(all.map((d) => (d.action === 'put' ? (d.message as { seq: number }).seq : d.action))).toEqual([...seqs(COUNT), 'close']);
    const late = await ctx().remote();
    await late.put(freshStream(), 'the gateway is up');

    slow.startReading();
    await slow.until((lines) => lines.some((l) => l.action === 'close' || l.action === 'error'), { orEnd: true, timeoutMs: 30_000 });
    const puts = slow.of('put').map((l) => (l.message as { seq: number }).seq);
    expect(puts).toEqual(seqs(puts.length));
    expect(puts.length).toBeLessThan(COUNT);
    const last = slow.lines.at(-1)!;
    if (last.action === 'close') expect(last).toMatchObject({ stream: s, reason: expect.any(String) });
    else if (last.action === 'error') expect(last).toMatchObject({ error: { reason: 'slow-client', code: 'CONNECTION' } });
    else expect(slow.ended).toBe(true);
  });
}
