import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event } from '@tributary/core';
import type { KafkaConnectionOptions } from '@tributary/kafka';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { randomGroup, randomTopic, startKafkaCluster, type KafkaSecurity, type SecuredKafkaCluster } from '@tributary/test-kit';
import { ConsumerGroup } from '../../src/group/consumer-group.js';
import { silentLogger } from '../../src/logging/logger.js';
import { kafkaReplaySource } from '../../src/replay/replay-source.js';
import { replay } from '../../src/replay/replay.js';
import { compareIds, events, until } from '../support/kafka.js';

// What users build on, over TLS and SASL against a real broker (a node of this file's own with secured listeners):
// the kafka producer plugin writes, a consumer group handles every event and commits, and a replay reads the
// topic again, all through the one set of connection options.

let cluster: SecuredKafkaCluster;
let security: KafkaSecurity;

beforeAll(async () => {
  cluster = await startKafkaCluster({ security: true });
  security = cluster.security;
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

type Secured = Pick<KafkaConnectionOptions, 'brokers' | 'sasl'> & { tls?: { ca: string; cert?: string; key?: string } };

// Undefined when this machine cannot make what the way needs (a client certificate needs openssl).
const ways: Array<[string, () => Secured | undefined]> = [
  ['SASL PLAIN', () => ({ brokers: security.saslBrokers, sasl: { mechanism: 'plain', ...security.users.plain } })],
  ['SASL SCRAM-SHA-256', () => ({ brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-256', ...security.users.scramSha256 } })],
  ['SASL SCRAM-SHA-512', () => ({ brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-512', ...security.users.scramSha512 } })],
  ['TLS trusting the CA', () => ({ brokers: security.sslBrokers, tls: { ca: security.caPem } })],
  ['mutual TLS', () => (security.clientKeyPem === undefined ? undefined : { brokers: security.mtlsBrokers, tls: { ca: security.caPem, cert: security.clientCertPem, key: security.clientKeyPem } })],
];

describe.each(ways)('over %s', (_, connection) => {
  it('the producer plugin writes, a consumer group handles every event once and commits, a replay reads them all', async ({ skip }) => {
    const secured = connection();
    if (!secured) return skip('openssl is not installed: no client certificate to test mutual TLS with');
    const topic = randomTopic('secured');
    const ensureTopics = [{ topic, partitions: 2 }, { topic: `${topic}.DLT`, partitions: 1 }];
    let sent: Event[];
    {
      await using producer = new KafkaProducerPlugin({ topic, ensureTopics, ...secured });
      await producer.open();
      sent = await producer.send(events(30, ['order.placed', 'order.shipped']));
    }
    const ids = sent.map((e) => e.id);

    const handled: string[] = [];
    const group = new ConsumerGroup({ ...secured, groupId: randomGroup('secured'), topics: [topic], handlers: { 'order.*': (e) => void handled.push(e.id) }, fetchMaxWaitMs: 200, commitIntervalMs: 200 });
    await group.start();
    try {
      await until('every event handled and committed (lag 0)', async () => handled.length >= ids.length && (await group.lag()).every((p) => p.lag === 0n));
    } finally {
      await group.stop();
    }
    expect(compareIds(handled, ids)).toEqual({ missing: [], duplicates: [], extra: [] });

    const replayed: string[] = [];
    for await (const event of replay({ source: kafkaReplaySource(secured), topic })) replayed.push(event.id);
    expect(compareIds(replayed, ids)).toEqual({ missing: [], duplicates: [], extra: [] });
  });
});

/** What a call failed with, and how long it took to fail. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await call().then(() => new Error('the call succeeded'), (e: unknown) => e);
  return { error, ms: Date.now() - started };
}

describe('failures users meet', () => {
  it('the producer plugin with a wrong password fails to open with AUTHORIZATION, in bounded time', async () => {
    const sasl = { mechanism: 'plain' as const, username: security.users.plain.username, password: 'wrong' };
    const producer = new KafkaProducerPlugin({ topic: randomTopic('denied'), brokers: security.saslBrokers, sasl });
    const { error, ms } = await failure(() => producer.open());
    await producer.close().catch(() => {});
    expect(error).toMatchObject({ code: 'AUTHORIZATION', retriable: false });
    expect(ms).toBeLessThan(10_000);
  });

  it('the producer plugin trusting only the system CAs fails to open naming the untrusted certificate', async () => {
    const producer = new KafkaProducerPlugin({ topic: randomTopic('untrusted'), brokers: security.sslBrokers, tls: {} });
    const { error, ms } = await failure(() => producer.open());
    await producer.close().catch(() => {});
    // Not retriable: trying again cannot make the certificate trusted.
    expect(error).toMatchObject({ code: 'CONNECTION', retriable: false, message: expect.stringMatching(/self-signed certificate in certificate chain.*tls\.ca/) });
    expect(ms).toBeLessThan(10_000);
  });

  it('a consumer group with a wrong password fails to start with AUTHORIZATION, in bounded time', async () => {
    const group = new ConsumerGroup({
      brokers: security.saslBrokers,
      sasl: { mechanism: 'scram-sha-512', username: security.users.scramSha512.username, password: 'wrong' },
      groupId: randomGroup('denied'),
      topics: [randomTopic('denied')],
      handlers: { '*': () => {} },
      logger: silentLogger,
    });
    const { error, ms } = await failure(() => group.start());
    await group.stop().catch(() => {});
    expect(error).toMatchObject({ code: 'AUTHORIZATION', retriable: false });
    expect(ms).toBeLessThan(10_000);
  });
});
