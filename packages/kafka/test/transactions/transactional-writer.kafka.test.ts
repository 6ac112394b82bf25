import { describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, KafkaTransactionalWriter, partitionKey, readToEnd } from '@tributary/kafka';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';

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

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
