import { describe, expect, inject, it, vi } from 'vitest';
import { KafkaJSConnectionError, type Producer, type Transaction } from 'kafkajs';
import { ErrorCodes } from '@tributary/core';
import { KafkaAdmin, KafkaTransactionalWriter, partitionKey, readToEnd, type KafkaClient } from '@tributary/kafka';
import { createTopics, randomGroup, randomTopic, testClient } from '@tributary/test-kit';
import type * as Internals from '../../src/internal/kafkajs-internals.js';

/**
 * How the next transaction's commit (EndTxn) goes wrong: its answer lost after the coordinator took it, or the
 * connection lost before it was sent. Either way the writer sees the same error and cannot tell which.
 */
const fault = vi.hoisted(() => ({ next: undefined as 'answer-lost' | 'never-sent' | undefined, commits: 0, unanswered: 0 }));

vi.mock('../../src/internal/kafkajs-internals.js', async (importOriginal) => {
  const original = await importOriginal<typeof Internals>();
  return {
    ...original,
    createTransactionalProducer: (...args: Parameters<typeof original.createTransactionalProducer>): Producer => {
      const producer = original.createTransactionalProducer(...args);
      const begin = producer.transaction.bind(producer);
      producer.transaction = async (): Promise<Transaction> => {
        const transaction = await begin();
        // What kafkajs answers when its broker table filed the partition's leader under another node id: the
        // Produce goes out without the partition, and the send resolves with no answer for it.
        const sendBatch = transaction.sendBatch.bind(transaction);
        transaction.sendBatch = async (batch) => {
          if (fault.unanswered === 0) return sendBatch(batch);
          fault.unanswered--;
          return [];
        };
        const commit = transaction.commit.bind(transaction);
        transaction.commit = async () => {
          const next = fault.next;
          fault.next = undefined;
          fault.commits++;
          if (next === 'answer-lost') await commit();
          if (next) throw new KafkaJSConnectionError('Connection closed (the test lost it)');
          return commit();
        };
        return transaction;
      };
      return producer;
    },
  };
});

const brokers = inject('kafkaBrokers');

async function setUp(name: string): Promise<{ client: KafkaClient; input: string; output: string; groupId: string }> {
  const [input, output] = [randomTopic(`${name}-in`), randomTopic(`${name}-out`)];
  await createTopics(brokers, [{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 1 }]);
  return { client: testClient(brokers), input, output, groupId: randomGroup(name) };
}

const values = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe('KafkaTransactionalWriter when the answer to a commit is lost', () => {
  it('learns that the transaction committed and resolves, without running it again', async () => {
    const { client, input, output, groupId } = await setUp('txn-lost-answer');
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `lost-${groupId}` });
    fault.next = 'answer-lost';
    const commitsBefore = fault.commits;
    await writer.commit(
      values('a', 3).map((v) => ({ topic: output, partition: 0, key: null, value: Buffer.from(v) })),
      { groupId, offsets: [{ topic: input, partition: 0, offset: 7n }, { topic: input, partition: 1, offset: 2n }] },
    );
    expect(fault.commits - commitsBefore).toBe(1);
    // The writer goes on with a new producer: the next transaction commits as usual.
    await writer.commit([{ topic: output, partition: 0, key: null, value: Buffer.from('next') }], { groupId, offsets: [{ topic: input, partition: 0, offset: 8n }] });
    const read = await readCommitted(client, output, 4);
    expect(read).toEqual([...values('a', 3), 'next']);
    await using admin = new KafkaAdmin(client);
    const commits = await admin.groupCommits(groupId, [{ topic: input, partition: 0 }, { topic: input, partition: 1 }]);
    expect([commits.get(partitionKey(input, 0))?.offset, commits.get(partitionKey(input, 1))?.offset]).toEqual([8n, 2n]);
    // The offsets carry their transaction's tag, which is how the outcome was learned.
    expect(commits.get(partitionKey(input, 1))?.metadata).toMatch(/^tributary-txn:/);
  });

  it('learns that a transaction whose commit never arrived aborted, and runs it again: its records once', async () => {
    const { client, input, output, groupId } = await setUp('txn-never-sent');
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `never-${groupId}` });
    fault.next = 'never-sent';
    const commitsBefore = fault.commits;
    await writer.commit(
      values('b', 3).map((v) => ({ topic: output, partition: 0, key: null, value: Buffer.from(v) })),
      { groupId, offsets: [{ topic: input, partition: 0, offset: 5n }] },
    );
    expect(fault.commits - commitsBefore).toBe(2);
    await writer.commit([{ topic: output, partition: 0, key: null, value: Buffer.from('next') }]);
    expect(await readCommitted(client, output, 4)).toEqual([...values('b', 3), 'next']);
    await using admin = new KafkaAdmin(client);
    expect((await admin.groupOffsets(groupId, [input])).get(partitionKey(input, 0))).toBe(5n);
  });

  it('never commits offsets when kafkajs answered a write without its partition: aborts, and runs it again with a new producer', async () => {
    const { client, input, output, groupId } = await setUp('txn-unanswered');
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `unanswered-${groupId}` });
    fault.unanswered = 2;
    await writer.commit(
      values('d', 3).map((v) => ({ topic: output, partition: 0, key: null, value: Buffer.from(v) })),
      { groupId, offsets: [{ topic: input, partition: 1, offset: 4n }] },
    );
    expect(fault.unanswered).toBe(0);
    await writer.commit([{ topic: output, partition: 0, key: null, value: Buffer.from('next') }]);
    expect(await readCommitted(client, output, 4)).toEqual([...values('d', 3), 'next']);
    await using admin = new KafkaAdmin(client);
    expect((await admin.groupOffsets(groupId, [input])).get(partitionKey(input, 1))).toBe(4n);
  });

  it('without group offsets nothing tells the outcome: TRANSACTION_OUTCOME_UNKNOWN, never run again', async () => {
    const { client, output, groupId } = await setUp('txn-unknown');
    await using writer = new KafkaTransactionalWriter(client, { transactionalId: `unknown-${groupId}` });
    fault.next = 'answer-lost';
    const error = await writer.commit(values('c', 2).map((v) => ({ topic: output, partition: 0, key: null, value: Buffer.from(v) }))).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN, retriable: false, context: { transactionalId: `unknown-${groupId}` } });
    await writer.commit([{ topic: output, partition: 0, key: null, value: Buffer.from('next') }]);
    expect(await readCommitted(client, output, 3)).toEqual([...values('c', 2), 'next']);
  });
});

/** The values a read_committed reader sees once `count` are there (commit markers land just after a commit). */
async function readCommitted(client: KafkaClient, topic: string, count: number): Promise<string[]> {
  const end = Date.now() + 15_000;
  for (;;) {
    const got = (await readToEnd(client, topic, { isolationLevel: 'read_committed' })).map((r) => r.value!.toString());
    if (got.length >= count || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
}
