import { afterEach, describe, expect, it } from 'vitest';
import { ChannelFullError, ChannelNotFoundError } from '../../src/errors.js';
import { memoryLayers, until } from './support.js';

describe('groups in memory', () => {
  const layers = memoryLayers();
  afterEach(() => layers.close());

  it('fans a group send out to every member in every process, once each; a discarded member gets nothing', async () => {
    const [a, b, c] = [layers.layer(), layers.layer(), layers.layer()];
    const channels = [await a.newChannel(), await b.newChannel(), await b.newChannel(), await c.newChannel()];
    for (const channel of channels) await a.groupAdd('room', channel);
    await a.groupAdd('room', channels[0]!); // again: still one membership
    // Another process sees the memberships once it has read them.
    await until(async () => (await c.groupMembers('room')).length === 4);
    const sent = await c.groupSend('room', { type: 'chat', text: 'hi' });
    expect(sent).toEqual({ group: 'room', members: 4, delivered: expect.arrayContaining(channels), failed: [] });
    expect(sent.delivered).toHaveLength(4);
    const owners = [a, b, b, c];
    for (const [i, channel] of channels.entries()) expect(await owners[i]!.receive(channel)).toEqual({ type: 'chat', text: 'hi' });
    for (const [i] of channels.entries()) expect(owners[i]!.stats().buffered).toBe(0);

    await b.groupDiscard('room', channels[1]!);
    await until(async () => (await c.groupMembers('room')).length === 3);
    const after = await c.groupSend('room', { type: 'chat', text: 'again' });
    expect([...after.delivered].sort()).toEqual([channels[0], channels[2], channels[3]].sort());
    expect(b.stats().buffered).toBe(1);
    expect(await b.receive(channels[2]!)).toMatchObject({ text: 'again' });
  });

  it('says which members did not get a group send, and why', async () => {
    const [a, b, c] = [layers.layer(), layers.layer({ capacity: 1 }), layers.layer()];
    const [ok, full, gone, closed] = [await a.newChannel(), await b.newChannel(), await c.newChannel(), await a.newChannel()];
    for (const channel of [ok, full, gone, closed]) await a.groupAdd('g', channel);
    await a.send(full, { fill: true });
    a.closeChannel(closed);
    await c.close(); // its channels leave their groups on close; add one back as a stale membership
    await a.groupAdd('g', gone);
    const sent = await a.groupSend('g', { n: 1 });
    expect(sent.members).toBe(4);
    expect(sent.delivered).toEqual([ok]);
    const why = Object.fromEntries(sent.failed.map((f) => [f.channel, f.error]));
    expect(why[full]).toBeInstanceOf(ChannelFullError);
    expect(why[gone]).toMatchObject({ constructor: ChannelNotFoundError, reason: 'owner-gone' });
    expect(why[closed]).toMatchObject({ constructor: ChannelNotFoundError, reason: 'unknown-channel' });
  });

  it('expires memberships after groupExpirySeconds unless added again', async () => {
    const [a, b] = [layers.layer({ groupExpirySeconds: 1 }), layers.layer()];
    const [x, y] = [await a.newChannel(), await b.newChannel()];
    await a.groupAdd('short', x);
    await a.groupAdd('short', y);
    expect((await a.groupSend('short', { n: 1 })).members).toBe(2);
    await new Promise((r) => setTimeout(r, 600));
    await a.groupAdd('short', y); // refreshed: its expiry starts over
    await new Promise((r) => setTimeout(r, 600));
    expect(await a.groupMembers('short')).toEqual([y]);
    const sent = await a.groupSend('short', { n: 2 });
    expect(sent.delivered).toEqual([y]);
    await new Promise((r) => setTimeout(r, 600));
    expect((await a.groupSend('short', { n: 3 })).members).toBe(0);
  });

  it('flush discards every membership for every process, and drops the messages kept here', async () => {
    const [a, b] = [layers.layer(), layers.layer()];
    const [x, y] = [await a.newChannel(), await b.newChannel()];
    await a.groupAdd('one', x);
    await b.groupAdd('two', y);
    await a.send(x, { kept: true });
    await until(async () => (await a.groupMembers('two')).length === 1);
    await a.flush();
    expect(a.stats().buffered).toBe(0);
    await until(async () => (await b.groupMembers('one')).length === 0 && (await b.groupMembers('two')).length === 0);
    expect((await b.groupSend('two', { n: 1 })).members).toBe(0);
  });

  it('a closing layer takes its channels out of their groups', async () => {
    const [a, b] = [layers.layer(), layers.layer()];
    const [x, y] = [await a.newChannel(), await b.newChannel()];
    await a.groupAdd('g', x);
    await a.groupAdd('g', y);
    await b.close();
    await until(async () => (await a.groupMembers('g')).length === 1);
    expect(await a.groupMembers('g')).toEqual([x]);
  });
});
