import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@tributary/core';
import { ChannelBuffer } from '../../src/channels/channel-buffer.js';
import { channelOwner, checkGroupName, mintChannelName } from '../../src/channels/channel-name.js';
import { ChannelFullError, InvalidChannelNameError, MessageExpiredError } from '../../src/errors.js';

const OWNER = '0b7f8a1e-3c2d-4e5f-8a9b-0c1d2e3f4a5b';

describe('channel buffer', () => {
  it('hands a message to the first waiting receiver, else keeps it, up to its capacity', async () => {
    let expired = 0;
    const buffer = new ChannelBuffer('c', 2, (n) => (expired += n));
    const first = buffer.take();
    const second = buffer.take();
    expect(buffer.push({ n: 1 }, Date.now() + 1000)).toBe('received');
    expect(buffer.push({ n: 2 }, Date.now() + 1000)).toBe('received');
    expect([await first, await second]).toEqual([{ n: 1 }, { n: 2 }]);
    expect(buffer.push({ n: 3 }, Date.now() + 1000)).toBe('buffered');
    expect(buffer.push({ n: 4 }, Date.now() + 1000)).toBe('buffered');
    expect(() => buffer.push({ n: 5 }, Date.now() + 1000)).toThrow(ChannelFullError);
    expect(await buffer.take()).toEqual({ n: 3 });
    expect(buffer.size).toBe(1);
    expect(expired).toBe(0);
  });

  it('refuses a message past its expiry, drops kept ones whose expiry passed, and an expired one makes room', async () => {
    let expired = 0;
    const buffer = new ChannelBuffer('c', 2, (n) => (expired += n));
    const now = Date.now();
    expect(() => buffer.push({ late: true }, now - 1, now)).toThrow(MessageExpiredError);
    buffer.push({ n: 1 }, now + 10, now);
    buffer.push({ n: 2 }, now + 5000, now);
    // Full, but the first has expired by then: it is dropped (and counted) to make room, never a live one.
    expect(buffer.push({ n: 3 }, now + 5000, now + 20)).toBe('buffered');
    expect(expired).toBe(1);
    expect(buffer.dropExpired(now + 6000)).toBe(2);
    expect(expired).toBe(3);
  });

  it('ends a waiting receive on abort without taking a message, and on close with the error given', async () => {
    const buffer = new ChannelBuffer('c', 1, () => {});
    const abort = new AbortController();
    const aborted = buffer.take(abort.signal);
    abort.abort();
    await expect(aborted).rejects.toMatchObject({ code: ErrorCodes.ABORTED });
    expect(buffer.push({ n: 1 }, Date.now() + 1000)).toBe('buffered');
    expect(await buffer.take()).toEqual({ n: 1 });
    const waiting = buffer.take();
    buffer.rejectWaiters(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
  });
});

describe('channel and group names', () => {
  it('mints names whose owner is read back, and refuses what Django Channels refuses', () => {
    const name = mintChannelName('specific', OWNER);
    expect(channelOwner(name)).toBe(OWNER);
    expect(() => mintChannelName('has space', OWNER)).toThrow(InvalidChannelNameError);
    expect(() => mintChannelName('x'.repeat(60), OWNER)).toThrow(InvalidChannelNameError);
    for (const bad of ['plain', `specific.${OWNER}`, `specific.not-a-session!abc`, `${'a'.repeat(80)}.${OWNER}!x`, 5]) expect(() => channelOwner(bad)).toThrow(InvalidChannelNameError);
    expect(checkGroupName('chat.room-1_a')).toBe('chat.room-1_a');
    for (const bad of ['', 'a b', 'a!b', 'x'.repeat(100), null]) expect(() => checkGroupName(bad)).toThrow(InvalidChannelNameError);
  });
});
