import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import { KafkaAdmin } from '../../src/admin/kafka-admin.js';
import { testKafka } from '../support/kafkajs.js';

const brokers = inject('kafkaBrokers');

/** Every TCP connection this process opens while it is watched (Node's `net.client.socket` channel). */
function watchConnections() {
  const sockets: Socket[] = [];
  const listener = (message: unknown) => void sockets.push((message as { socket: Socket }).socket);
  diagnostics.subscribe('net.client.socket', listener);
  return { sockets, [Symbol.dispose]: () => void diagnostics.unsubscribe('net.client.socket', listener) };
}

describe("an admin's group calls", () => {
  it('read a group\'s lag again and again over the connections of the first call, and again after they dropped', async () => {
    const topic = randomTopic('lag-connections');
    await createTopics(brokers, [{ topic, numPartitions: 2 }]);
    // Idempotent, so a send retried on a slow broker cannot write the records twice (the figures below count them).
    const producer = testKafka(brokers).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [...Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `a${i}` })), ...Array.from({ length: 4 }, (_, i) => ({ partition: 1, value: `b${i}` }))] });
    await producer.disconnect();
    const groupId = randomGroup('lag-connections');
    using watched = watchConnections();
    await using admin = new KafkaAdmin(testClient(brokers));
    expect(await admin.setEmptyGroupOffsets(groupId, [{ topic, partition: 0, offset: 3n }, { topic, partition: 1, offset: 4n }])).toBe(true);
    const expected = [
      { topic, partition: 0, high: 10n, committed: 3n, lag: 7n },
      { topic, partition: 1, high: 4n, committed: 4n, lag: 0n },
    ];
    expect(await admin.lag(groupId, [topic])).toEqual(expected);
    const firstCall = watched.sockets.length;
    expect(firstCall).toBeGreaterThan(0);

    // A dashboard's polling: each call goes over the connections already open, to the coordinator found before.
    for (let i = 0; i < 20; i++) expect(await admin.lag(groupId, [topic])).toEqual(expected);
    expect(await admin.groupOffsets(groupId, [topic])).toEqual(new Map([[`${topic}\u0000${0}`, 3n], [`${topic}\u0000${1}`, 4n]]));
    expect(watched.sockets.length).toBe(firstCall);

    // Every connection drops (a broker restart, an idle timeout): the next call connects again and answers.
    // Ending our side has the broker close its own, as when it drops an idle connection.
    for (const socket of watched.sockets) socket.end();
    await expect.poll(() => watched.sockets.every((s) => s.readyState === 'closed' || s.destroyed), { timeout: 10_000 }).toBe(true);
    expect(await admin.lag(groupId, [topic])).toEqual(expected);
    const reconnected = watched.sockets.length;
    expect(reconnected).toBeGreaterThan(firstCall);
    for (let i = 0; i < 10; i++) expect(await admin.lag(groupId, [topic])).toEqual(expected);
    expect(watched.sockets.length).toBe(reconnected);

    // Closed with the admin: no connection it opened stays open.
    await admin.close();
    await expect.poll(() => watched.sockets.filter((s) => !s.destroyed && s.readyState !== 'closed').length, { timeout: 10_000 }).toBe(0);
  });
});
