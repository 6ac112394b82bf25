import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readToEnd, silentLogger } from '@tributary/kafka';
import { channelTopics } from '../../src/channels/topics.js';
import { ChannelFullError, ChannelNotFoundError } from '../../src/errors.js';
import { everySendEndsOnce, groupSendReachesEachMemberOnce } from './invariants.js';
import { freshTopics, kafkaLayers } from './kafka-support.js';
import { until } from './support.js';

const brokers = inject('kafkaBrokers');

describe('channel layer against a real broker', () => {
  let topics: { messagingPrefix: string; prefix: string };
  let layers: ReturnType<typeof kafkaLayers>;

  beforeAll(async () => {
    topics = await freshTopics(brokers);
    layers = kafkaLayers(brokers, topics);
  });
  afterAll(async () => {
    await layers?.close();
  });

  it('fans a group out across processes; a discard is a tombstone on the compacted topic; memberships expire', async () => {
    const [a, b, c] = [layers.layer(), layers.layer(), layers.layer({ groupExpirySeconds: 2 })];
    const [x, y, z] = [await a.newChannel(), await b.newChannel(), await c.newChannel()];
    await a.groupAdd('room', x);
    await b.groupAdd('room', y);
    await c.groupAdd('room', z); // c adds with a 2 s expiry
    await until(async () => (await a.groupMembers('room')).length === 3);
    const sent = await a.groupSend('room', { type: 'chat', n: 1 });
    expect(sent.failed).toEqual([]);
    expect([...sent.delivered].sort()).toEqual([x, y, z].sort());
    expect([await a.receive(x), await b.receive(y), await c.receive(z)]).toEqual(Array(3).fill({ type: 'chat', n: 1 }));

    await c.groupDiscard('room', y);
    await until(async () => (await a.groupMembers('room')).length === 2);
    expect([...(await a.groupSend('room', { n: 2 })).delivered].sort()).toEqual([x, z].sort());
    expect(b.stats().buffered).toBe(0);
    await c.receive(z);

    // z's membership expires 2 s after it was added; x's does not.
    await until(async () => (await a.groupMembers('room')).length === 1, 5000);
    expect(await a.groupSend('room', { n: 3 })).toMatchObject({ members: 1, delivered: [x], failed: [] });

    // What a plain reader of the topic sees: each membership a record keyed "<group> <channel>", the discard a tombstone.
    const records = await readToEnd({ brokers, logger: silentLogger }, channelTopics(topics.prefix).groups);
    const last = new Map(records.map((r) => [r.key?.toString(), r.value]));
    expect(last.get(`room ${y}`)).toBeNull();
    expect(JSON.parse(last.get(`room ${x}`)!.toString())).toMatchObject({ group: 'room', channel: x, expiresAt: expect.any(Number) });

    // A process starting now reads the live memberships from the topic.
    const late = layers.layer();
    expect(await late.groupMembers('room')).toEqual([x]);
  });

  it('refuses a send to a full channel with ChannelFullError, and a send to a gone owner with ChannelNotFoundError', async () => {
    const [a, b] = [layers.layer(), layers.layer({ capacity: 2 })];
    const channel = await b.newChannel();
    await a.send(channel, { n: 1 });
    await a.send(channel, { n: 2 });
    const full = await a.send(channel, { n: 3 }).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(ChannelFullError);
    expect((full as ChannelFullError).context).toEqual({ channel, capacity: 2 });
    expect(await b.receive(channel)).toEqual({ n: 1 });
    await a.send(channel, { n: 4 });
    expect([await b.receive(channel), await b.receive(channel)]).toEqual([{ n: 2 }, { n: 4 }]);
    await b.close();
    await expect(a.send(channel, { n: 5 })).rejects.toMatchObject({ constructor: ChannelNotFoundError, reason: 'owner-gone' });
  });

  it('every send ends in one outcome; receivers get each taken send once, in each sender’s order', async () => {
    const live = [layers.layer({ capacity: 4 }), layers.layer({ capacity: 4 }), layers.layer({ capacity: 4 })];
    await everySendEndsOnce(live, layers.layer(), 150, 11);
  });

  it('a group send reaches each live member once, after random adds and discards from several processes', async () => {
    const live = [layers.layer(), layers.layer(), layers.layer()];
    await groupSendReachesEachMemberOnce(live, 6, 5);
  });
});
