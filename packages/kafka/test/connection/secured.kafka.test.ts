import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTributaryError, type TributaryError } from '@tributary/core';
import { randomGroup, randomTopic, startKafkaCluster, type KafkaSecurity, type SecuredKafkaCluster } from '@tributary/test-kit';
import { joinedAndBeating } from '../support/membership.js';
import { GroupMembership, KafkaAdmin, KafkaClient, KafkaWriter, ensureTopics, partitionKey, readToEnd, silentLogger, type KafkaClientOptions } from '../../src/index.js';

// TLS and SASL against a real broker: a node of this file's own, with SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256,
// SCRAM-SHA-512), SSL, and SSL requiring client certificates beside its plain listener. Each way in carries a
// full round trip through Tributary's own API; each failure users meet is checked for its code and its time.

let cluster: SecuredKafkaCluster;
let security: KafkaSecurity;

beforeAll(async () => {
  cluster = await startKafkaCluster({ security: true });
  security = cluster.security;
}, 180_000);

afterAll(async () => {
  const pid = cluster?.nodes[0]?.pid;
  await cluster?.stop();
  if (pid !== undefined) expect(() => process.kill(pid, 0)).toThrow();
});

const quiet = { logger: silentLogger, connectionTimeoutMs: 3000 };
// A way in is undefined when this machine cannot make what it needs (a client certificate needs openssl).
const ways: Array<[string, () => KafkaClientOptions | undefined]> = [
  ['SASL PLAIN', () => ({ ...quiet, brokers: security.saslBrokers, sasl: { mechanism: 'plain', ...security.users.plain } })],
  ['SASL SCRAM-SHA-256', () => ({ ...quiet, brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-256', ...security.users.scramSha256 } })],
  ['SASL SCRAM-SHA-512', () => ({ ...quiet, brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-512', ...security.users.scramSha512 } })],
  ['TLS trusting the CA', () => ({ ...quiet, brokers: security.sslBrokers, tls: { ca: security.caPem } })],
  ['mutual TLS', () => (security.clientCertPem === undefined ? undefined : { ...quiet, brokers: security.mtlsBrokers, tls: { ca: security.caPem, cert: security.clientCertPem, key: security.clientKeyPem } })],
];

describe.each(ways)('over %s', (_, connection) => {
  it('creates a topic, writes, reads back every record exactly once, and commits in a group', async ({ skip }) => {
    const options = connection();
    if (!options) return skip('openssl is not installed: no client certificate to test mutual TLS with');
    const topic = randomTopic('secured');
    expect(await ensureTopics(options, [{ topic, partitions: 2 }])).toMatchObject({ created: [topic] });

    const client = new KafkaClient(options);
    const ids = Array.from({ length: 40 }, (_, i) => `id-${i}`);
    {
      await using writer = new KafkaWriter(client);
      await writer.connect();
      const results = await writer.write(ids.map((id) => ({ topic, size: 64, record: { key: Buffer.from(id), value: Buffer.from(`v-${id}`), headers: {}, timestamp: String(Date.now()) } })));
      expect(results.filter((r) => !r.ok)).toEqual([]);
    }

    // Read over the secured listener, and over the plain one: the same log, whoever reads it.
    for (const reader of [client, { brokers: cluster.brokers, logger: silentLogger }]) {
      const read = (await readToEnd(reader, topic)).map((r) => r.key!.toString());
      expect({ missing: ids.filter((id) => !read.includes(id)), extra: read.filter((id) => !ids.includes(id)), duplicates: read.length - new Set(read).size }).toEqual({ missing: [], extra: [], duplicates: 0 });
    }

    // The group coordinator over the same listener: join, get both partitions, commit, read the commit back.
    const groupId = randomGroup('secured');
    const member = new GroupMembership(client, { groupId, topics: [topic], sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 500 });
    try {
      await member.connect();
      const assignment = await joinedAndBeating(member);
      expect([...(assignment[topic] ?? [])].sort()).toEqual([0, 1]);
      await member.commit([{ topic, partition: 0, offset: 7n }, { topic, partition: 1, offset: 5n }]);
    } finally {
      await member.leave();
    }
    await using admin = new KafkaAdmin(client);
    const committed = await admin.groupOffsets(groupId, [topic]);
    expect(Object.fromEntries(committed)).toEqual({ [partitionKey(topic, 0)]: 7n, [partitionKey(topic, 1)]: 5n });
  });
});

/** The error a call failed with, and how long it took to fail. */
async function failure(call: () => Promise<unknown>): Promise<{ error: TributaryError; ms: number }> {
  const started = Date.now();
  const error = await call().then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => e,
  );
  expect(isTributaryError(error)).toBe(true);
  return { error: error as TributaryError, ms: Date.now() - started };
}

describe('failures users meet', () => {
  it.each([
    ['plain', () => security.users.plain],
    ['scram-sha-256', () => security.users.scramSha256],
    ['scram-sha-512', () => security.users.scramSha512],
  ] as const)('a wrong %s password is AUTHORIZATION at once, not retried', async (mechanism, user) => {
    // Default retries (5): a refused login must not be tried again, so it fails as fast as one attempt.
    const options = { ...quiet, brokers: security.saslBrokers, sasl: { mechanism, username: user().username, password: 'wrong' } };
    const { error, ms } = await failure(() => readToEnd(options, 'any-topic'));
    expect(error.code).toBe('AUTHORIZATION');
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/authentication failed/i);
    expect(ms).toBeLessThan(5000);
  });

  it('a SCRAM user exists for its own mechanism only', async () => {
    const options = { ...quiet, brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-256' as const, ...security.users.scramSha512 } };
    const { error } = await failure(() => ensureTopics(options, [{ topic: randomTopic('never'), partitions: 1 }]));
    expect(error.code).toBe('AUTHORIZATION');
  });

  it('TLS with the system trust store names the untrusted certificate and what to do, and is not retried', async () => {
    const { error, ms } = await failure(() => readToEnd({ ...quiet, brokers: security.sslBrokers, tls: true }, 'any-topic'));
    expect(error.code).toBe('CONNECTION');
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/self-signed certificate in certificate chain/);
    expect(error.message).toMatch(/tls\.ca/);
    expect(error.context.tlsError).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(ms).toBeLessThan(5000);
  });

  it('the mutual-TLS listener refuses a client without a certificate, within the retries given', async () => {
    const { error, ms } = await failure(() => readToEnd({ ...quiet, retries: 1, brokers: security.mtlsBrokers, tls: { ca: security.caPem } }, 'any-topic'));
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toMatch(/certificate/);
    expect(ms).toBeLessThan(10_000);
  });

  it('a bad option shape fails at construction with its path, before any connection', () => {
    const wrong = { brokers: security.saslBrokers, sasl: { mechanism: 'scram-sha-1', username: 'u', password: 'p' } } as unknown as KafkaClientOptions;
    expect(() => new KafkaClient(wrong)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', context: expect.objectContaining({ option: 'sasl.mechanism' }) }));
    const halfPair = { brokers: security.mtlsBrokers, tls: { ca: security.caPem, cert: security.clientCertPem } };
    expect(() => new KafkaClient(halfPair)).toThrow(expect.objectContaining({ context: expect.objectContaining({ option: 'tls.key' }) }));
  });
});
