import { describe, expect, inject, it } from 'vitest';
import { GroupMembership, KafkaAdmin, KafkaTransactionalWriter, partitionForKey, partitionKey, readToEnd } from '@tributary/kafka';
import { createTopics, randomGroup, randomTopic, testClient, waitFor } from '@tributary/test-kit';
import { testKafka } from '../support/kafkajs.js';
import { joinedAndBeating } from '../support/membership.js';

const brokers = inject('kafkaBrokers');

describe('KafkaTransactionalWriter', () => {
  it('commits records and group offsets together; read_committed readers see the records', async () => {
    const [input, output] = [randomTopic('txn-in'), randomTopic('txn-out')];
    await createTopics(brokers, [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 2 }]);
    const client = testClient(brokers);
    const groupId = randomGroup('txn');
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `txn-${groupId}` });
    await writer.commit(
      [0, 1, 2].map((n) => ({ topic: output, partition: n % 2, key: Buffer.from(`k${n}`), value: Buffer.from(`v${n}`), headers: { n: Buffer.from(String(n)) } })),
      { groupId, offsets: [{ topic: input, partition: 0, offset: 7n }] },
    );
    // The commit markers reach the partitions just after commit() returns: read_committed sees them then.
    const read = await until(async () => {
      const got = await readToEnd(client, output, { isolationLevel: 'read_committed' });
      return got.length === 3 ? got : undefined;
    });
    expect(read.map((r) => r.value?.toString()).sort()).toEqual(['v0', 'v1', 'v2']);
    await using admin = new KafkaAdmin(client);
    const committed = await until(async () => (await admin.groupOffsets(groupId, [input])).get(partitionKey(input, 0)));
    expect(committed).toBe(7n);
  });

  it("places records without a partition as Kafka's default partitioner does, each written once, in the order given per partition", async () => {
    const topic = randomTopic('txn-keyed');
    await createTopics(brokers, [{ topic, numPartitions: 6 }]);
    const client = testClient(brokers);
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `keyed-${randomGroup('t')}` });
    const records = Array.from({ length: 120 }, (_, n) => ({ topic, key: Buffer.from(`key-${n % 30}`), value: Buffer.from(String(n)) }));
    await writer.commit(records);
    await writer.commit([{ topic, key: null, value: Buffer.from('a') }, { topic, key: null, value: Buffer.from('b') }]);
    const read = await until(async () => {
      const got = await readToEnd(client, topic, { isolationLevel: 'read_committed' });
      return got.length >= 122 ? got : undefined;
    });
    expect(read).toHaveLength(122);
    const keyed = read.filter((r) => r.key !== null);
    expect(new Set(keyed.map((r) => r.value!.toString())).size).toBe(120);
    for (const r of keyed) expect(r.partition).toBe(partitionForKey(r.key!, 6));
    for (let p = 0; p < 6; p++) {
      const values = keyed.filter((r) => r.partition === p).map((r) => Number(r.value!.toString()));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
    expect(read.filter((r) => r.key === null).map((r) => r.value!.toString()).sort()).toEqual(['a', 'b']);
  });

  it('connect() fences an earlier writer with the transactional id and aborts the transaction it left open', async () => {
    const [input, output] = [randomTopic('txn-fence-in'), randomTopic('txn-fence-out')];
    await createTopics(brokers, [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
    const client = testClient(brokers);
    const groupId = randomGroup('fence');
    const transactionalId = `fence-${groupId}`;
    // An earlier writer (a process that stood still) with a record and offsets in a transaction it never ends.
    const zombie = testKafka(brokers).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    try {
      const open = await zombie.transaction();
      await open.send({ topic: output, messages: [{ partition: 0, value: 'left open' }] });
      await open.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '9' }] }] });
      await using writer = new KafkaTransactionalWriter(client, { transactionalId });
      await writer.connect();
      // Ended, not pending until its timeout: a stable read answers at once, without the offsets it held.
      await using admin = new KafkaAdmin(client);
      expect((await admin.groupCommits(groupId, [{ topic: input, partition: 0 }], { requireStable: true, stableDeadlineMs: 5000 })).size).toBe(0);
      await expect(open.commit()).rejects.toThrow();
      await writer.commit([{ topic: output, partition: 0, key: null, value: Buffer.from('after') }]);
      const read = await until(async () => {
        const got = await readToEnd(client, output, { isolationLevel: 'read_committed' });
        return got.length > 0 ? got : undefined;
      });
      expect(read.map((r) => r.value?.toString())).toEqual(['after']);
    } finally {
      await zombie.disconnect();
    }
  });

  it('a transaction that fails part-way is aborted: none of its records is ever read committed', async () => {
    const topic = randomTopic('txn-abort');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const client = testClient(brokers);
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `abort-${randomGroup('t')}` });
    await writer.commit([{ topic, partition: 0, key: null, value: Buffer.from('before') }]);
    // The second record is over the broker's size limit: the whole transaction fails and is aborted.
    await expect(writer.commit([{ topic, partition: 0, key: null, value: Buffer.from('aborted') }, { topic, partition: 0, key: null, value: Buffer.alloc(3 * 1024 * 1024) }])).rejects.toBeTruthy();
    await writer.commit([{ topic, partition: 0, key: null, value: Buffer.from('after') }]);
    const read = await until(async () => {
      const got = await readToEnd(client, topic, { isolationLevel: 'read_committed' });
      return got.some((r) => r.value?.toString() === 'after') ? got : undefined;
    });
    expect(read.map((r) => r.value?.toString())).toEqual(['before', 'after']);
  });
});

describe('KafkaTransactionalWriter with the consuming member (KIP-447)', () => {
  it("commits offsets sent with the member's generation; once a rebalance ended that generation, refuses them with COMMIT_FAILED and aborts, nothing read committed", async () => {
    const [input, output] = [randomTopic('fence-in'), randomTopic('fence-out')];
    await createTopics(brokers, [{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 1 }]);
    const client = testClient(brokers);
    const groupId = randomGroup('fence');
    const options = { groupId, topics: [input], sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, heartbeatIntervalMs: 300 };
    const first = new GroupMembership(client, options);
    const second = new GroupMembership(client, options);
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `fence-${groupId}` });
    await using admin = new KafkaAdmin(client);
    const record = (value: string) => ({ topic: output, partition: 0, key: null, value: Buffer.from(value) });
    try {
      await first.connect();
      await joinedAndBeating(first);
      const before = first.groupMetadata();
      expect(before).toMatchObject({ groupId, generationId: expect.any(Number), memberId: expect.stringMatching(/.+/), groupInstanceId: null });
      expect(before.generationId).toBeGreaterThanOrEqual(0);
      // The member's own generation: committed, with the leader epoch given.
      await writer.commit([record('in generation')], { groupId, member: before, offsets: [{ topic: input, partition: 0, offset: 5n, leaderEpoch: 0 }] });
      expect(Object.fromEntries(await admin.groupCommits(groupId, [{ topic: input, partition: 0 }]))).toEqual({ [partitionKey(input, 0)]: { offset: 5n, leaderEpoch: 0, metadata: expect.stringMatching(/^tributary-txn:/) } });

      // A second member joins: the group moves to a later generation, which the first member joins too.
      await second.connect();
      await joinedAndBeating(second);
      await waitFor('the first member in the new generation', async () => (first.groupMetadata().generationId > before.generationId ? true : undefined), 30_000);

      // A transaction still carrying the generation its offsets were taken in (a zombie's) is refused and aborted.
      const refused = await writer.commit([record('zombie')], { groupId, member: before, offsets: [{ topic: input, partition: 0, offset: 9n }] }).then(() => 'committed', (e: unknown) => e);
      expect(refused).toMatchObject({ code: 'COMMIT_FAILED', retriable: false, context: { groupId, generationId: before.generationId, kafkaError: 'ILLEGAL_GENERATION' } });
      // The writer goes on: a transaction in the current generation commits.
      await writer.commit([record('after')], { groupId, member: first.groupMetadata(), offsets: [{ topic: input, partition: 1, offset: 3n }] });
    } finally {
      await Promise.allSettled([first.leave(), second.leave()]);
    }
    const read = await until(async () => {
      const got = await readToEnd(client, output, { isolationLevel: 'read_committed' });
      return got.some((r) => r.value?.toString() === 'after') ? got : undefined;
    });
    expect(read.map((r) => r.value?.toString())).toEqual(['in generation', 'after']);
    expect(Object.fromEntries(await admin.groupOffsets(groupId, [input]))).toEqual({ [partitionKey(input, 0)]: 5n, [partitionKey(input, 1)]: 3n });
  });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
