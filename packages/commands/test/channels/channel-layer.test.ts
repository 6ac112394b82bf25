import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError, type TributaryError } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { createMessaging, MemoryLogTransport, RequestTimeoutError } from '@tributary/messaging';
import { createChannelLayer } from '../../src/channels/channel-layer.js';
import { channelOwner } from '../../src/channels/channel-name.js';
import { ChannelFullError, ChannelLayerClosedError, ChannelNotFoundError, InvalidChannelNameError } from '../../src/errors.js';
import { memoryLayers, within } from './support.js';

// The channel layer on the memory log: the flows the broker tests run, in milliseconds.
describe('channel layer in memory', () => {
  const layers = memoryLayers();
  afterEach(() => layers.close());

  it('makes channels its session owns, and receives what is sent to them in order', async () => {
    const layer = layers.layer();
    const channel = await layer.newChannel();
    const session = await layer.session();
    expect(channel).toMatch(new RegExp(`^specific\\.${session.id}![0-9a-f]{16}$`));
    expect(channelOwner(channel)).toBe(session.id);
    expect(await layer.newChannel('chat.room')).toMatch(/^chat\.room\./);
    for (let n = 0; n < 5; n++) await layer.send(channel, { type: 'chat.message', n });
    const got = [];
    for (let n = 0; n < 5; n++) got.push(await layer.receive(channel));
    expect(got.map((m) => m.n)).toEqual([0, 1, 2, 3, 4]);
    // A receive waits for the next message; an abort ends it without taking one.
    const waiting = layer.receive(channel);
    await layer.send(channel, { type: 'late' });
    expect(await waiting).toEqual({ type: 'late' });
    const abort = new AbortController();
    const aborted = layer.receive(channel, { signal: abort.signal });
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
    await layer.send(channel, { type: 'after-abort' });
    expect(await layer.receive(channel)).toEqual({ type: 'after-abort' });
  });

  it('sends to another process: the receiver gets a copy, in the order the sender sent', async () => {
    const [a, b] = [layers.layer(), layers.layer()];
    const channel = await b.newChannel();
    const message = { type: 'x', list: [1] };
    await Promise.all(Array.from({ length: 20 }, (_, n) => a.send(channel, { ...message, n })));
    message.list.push(2);
    const got = [];
    for (let n = 0; n < 20; n++) got.push(await b.receive(channel));
    expect(got.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(got[0]).toEqual({ type: 'x', list: [1], n: 0 });
    expect(a.stats()).toMatchObject({ delivered: 20, failed: {} });
    expect(b.stats()).toMatchObject({ received: 20, buffered: 0 });
  });

  it('refuses a send to a full channel with ChannelFullError, and takes one again after a receive', async () => {
    const [a, b] = [layers.layer(), layers.layer({ capacity: 3 })];
    const channel = await b.newChannel();
    for (let n = 0; n < 3; n++) await a.send(channel, { n });
    const full = await a.send(channel, { n: 3 }).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(ChannelFullError);
    expect(full).toMatchObject({ code: ErrorCodes.CHANNEL_FULL, retriable: true, context: { channel, capacity: 3 } });
    expect(await b.receive(channel)).toEqual({ n: 0 });
    await a.send(channel, { n: 4 });
    const rest = [await b.receive(channel), await b.receive(channel), await b.receive(channel)];
    expect(rest).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    expect(a.stats().failed).toEqual({ CHANNEL_FULL: 1 });
  });

  it('drops a message nobody received before its expiry, and counts it', async () => {
    const [a, b] = [layers.layer({ expirySeconds: 1 }), layers.layer()];
    const channel = await b.newChannel();
    await a.send(channel, { type: 'stale' });
    expect(b.stats().buffered).toBe(1);
    await new Promise((r) => setTimeout(r, 1300));
    expect(b.stats()).toMatchObject({ buffered: 0, expired: 1 });
    await a.send(channel, { type: 'fresh' });
    expect(await b.receive(channel)).toEqual({ type: 'fresh' });
  });

  it('names what is wrong: a gone owner, a closed channel, bad names and messages, a closed layer', async () => {
    const [a, b] = [layers.layer(), layers.layer()];
    const channel = await b.newChannel();
    const closed = await b.newChannel();
    expect(b.closeChannel(closed)).toBe(0);
    await expect(a.send(closed, { x: 1 })).rejects.toMatchObject({ constructor: ChannelNotFoundError, reason: 'unknown-channel' });
    await expect(b.receive(closed)).rejects.toBeInstanceOf(ChannelNotFoundError);
    await expect(a.receive(channel)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(a.send('no-bang', { x: 1 })).rejects.toBeInstanceOf(InvalidChannelNameError);
    await expect(a.send(channel, [1] as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(a.send(channel, { n: 1n } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(a.groupAdd('bad group', channel)).rejects.toMatchObject({ constructor: InvalidChannelNameError, context: { option: 'group' } });
    const waiting = b.receive(channel).catch((e: unknown) => e);
    await b.close();
    expect(await waiting).toBeInstanceOf(ChannelLayerClosedError);
    const gone = await a.send(channel, { x: 1 }).catch((e: unknown) => e);
    expect(gone).toMatchObject({ constructor: ChannelNotFoundError, reason: 'owner-gone', code: ErrorCodes.CHANNEL_NOT_FOUND });
    await expect(b.newChannel()).rejects.toBeInstanceOf(ChannelLayerClosedError);
  });

  it('waits a moment for an owner it has not seen (its announcement may be behind), then remembers it gone', async () => {
    const a = layers.layer();
    const stranger = `specific.${randomUUID()}!00`;
    let started = Date.now();
    await expect(a.send(stranger, { n: 1 })).rejects.toMatchObject({ constructor: ChannelNotFoundError, reason: 'owner-gone' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    started = Date.now();
    await expect(a.send(stranger, { n: 2 })).rejects.toMatchObject({ constructor: ChannelNotFoundError, reason: 'owner-gone' });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('checks its options at construction, naming the option', () => {
    const transport = new MemoryLogTransport();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{}, 'connection'],
      [{ transport, connection: { brokers: ['x:1'] } }, 'connection'],
      [{ transport, capacity: 0 }, 'capacity'],
      [{ transport, expirySeconds: 1.5 }, 'expirySeconds'],
      [{ transport, groupExpirySeconds: -1 }, 'groupExpirySeconds'],
      [{ transport, sendTimeoutMs: 'soon' }, 'sendTimeoutMs'],
      [{ transport, prefix: 'a b' }, 'prefix'],
      [{ transport, logger: {} }, 'logger'],
      [{ transport, messaging: { heartbeatMs: 0 } }, 'heartbeatMs'],
    ];
    for (const [options, option] of bad) {
      const error = (() => {
        try {
          createChannelLayer({ logger: silentLogger, ...options });
        } catch (e) {
          return e;
        }
      })();
      expect(error, option).toBeInstanceOf(InvalidArgumentError);
      expect((error as TributaryError).context.option, option).toBe(option);
    }
  });

  it('does not hang a send whose owner never answers: it times out', async () => {
    const a = layers.layer({ sendTimeoutMs: 200 });
    // A stalled owner: a session that takes deliveries and never answers.
    const hub = createMessaging({ transport: layers.transport, logger: silentLogger, heartbeatMs: 50, sessionTimeoutMs: 500 });
    const stalled = await hub.openSession();
    await stalled.addRequestHandler('tributary/channels/deliver', () => new Promise(() => {}), { addressed: true });
    const error = await within(a.send(`specific.${stalled.id}!00`, { x: 1 }).catch((e: unknown) => e), 2000, 'the send');
    expect(error).toBeInstanceOf(RequestTimeoutError);
    await hub.close();
  });
});
