import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import type { EventRecord } from '@tributary/core';
import { KafkaClient } from '../../src/connection/kafka-client.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { PartitionProduce } from '../../src/producer/partition-request.js';
import { ProducerSession } from '../../src/producer/producer-session.js';
import { KafkaWriter } from '../../src/producer/writer.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';

/** The cluster the writer meets: producer ids it hands out, answers to Produce requests, requests it saw. */
const cluster = vi.hoisted(() => ({
  sessions: [] as Array<() => Promise<{ producerId: string; producerEpoch: number }>>,
  answers: [] as Array<bigint | Error>,
  requests: [] as PartitionProduce[],
}));

vi.mock('../../src/producer/cluster-ports.js', () => ({
  ClusterProducePorts: class {
    async connect() {}
    async disconnect() {}
    async newSession(idempotent: boolean) {
      if (!idempotent) return ProducerSession.notIdempotent();
      const next = cluster.sessions.shift();
      if (!next) throw new Error('no producer id scripted');
      const { producerId, producerEpoch } = await next();
      return new ProducerSession(producerId, producerEpoch);
    }
    async leader() {
      return {
        produce: (request: PartitionProduce) => {
          cluster.requests.push(request);
          const answer = cluster.answers.shift();
          if (answer === undefined) return Promise.reject(new Error('no answer scripted'));
          return typeof answer === 'bigint' ? Promise.resolve(answer) : Promise.reject(answer);
        },
      };
    }
  },
}));

vi.mock('../../src/admin/kafka-admin.js', () => ({
  KafkaAdmin: class {
    async connect() {}
    async close() {}
    async partitionCount() {
      return 1;
    }
  },
}));

const record = (i: number): { topic: string; record: EventRecord; size: number } => ({
  topic: 't',
  record: { key: Buffer.from('k'), value: Buffer.from(`v${i}`), headers: {}, timestamp: '0' },
  size: 10,
});

async function openWriter(): Promise<KafkaWriter> {
  cluster.requests.length = 0;
  cluster.answers.length = 0;
  cluster.sessions.length = 0;
  cluster.sessions.push(() => Promise.resolve({ producerId: '1', producerEpoch: 0 }));
  const writer = new KafkaWriter(new KafkaClient({ brokers: ['127.0.0.1:9'], logger: silentLogger }), { retries: 1 });
  await writer.connect();
  return writer;
}

/** The producer id and first sequence in the header of the batch a request carried. */
const producer = (r: PartitionProduce) => [String(r.batch.readBigInt64BE(43)), r.batch.readInt32BE(53)];

const lost = () => new KafkaJSConnectionError('Connection error: read ECONNRESET');
const notEnoughReplicas = () => Object.assign(new KafkaJSProtocolError('not enough replicas'), { type: 'NOT_ENOUGH_REPLICAS', code: 19, retriable: true });

describe('KafkaWriter', () => {
  it('gives each record the offset of its place in the acknowledged request', async () => {
    await using writer = await openWriter();
    cluster.answers.push(40n);
    const results = await writer.write([record(0), record(1), record(2)]);
    expect(results.map((r) => (r.ok ? r.offset : r.outcome))).toEqual([40n, 41n, 42n]);
    expect(cluster.requests.map((r) => [...producer(r), r.batch.readInt32BE(57)])).toEqual([['1', 0, 3]]);
  });

  it('takes a new producer id after a write whose outcome stayed unknown, so no sequence is reused for other records', async () => {
    await using writer = await openWriter();
    cluster.sessions.push(() => Promise.resolve({ producerId: '2', producerEpoch: 0 }));
    cluster.answers.push(0n, lost(), lost(), 7n);
    await writer.write([record(0)]);
    const [doubtful] = await writer.write([record(1), record(2)]);
    expect(doubtful).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(doubtful!.ok ? [] : doubtful!.attempts.map((a) => a.sent)).toEqual([true, true]);
    const [next] = await writer.write([record(1), record(2)]);
    expect(next).toMatchObject({ ok: true, offset: 7n });
    // The retry repeated sequence 1; the next write starts over at 0 under a new producer id.
    expect(cluster.requests.map(producer)).toEqual([
      ['1', 0],
      ['1', 1],
      ['1', 1],
      ['2', 0],
    ]);
  });

  it('keeps its producer id and sequence after a write refused before the append', async () => {
    await using writer = await openWriter();
    cluster.answers.push(notEnoughReplicas(), notEnoughReplicas(), 3n);
    const [refused] = await writer.write([record(0)]);
    expect(refused).toMatchObject({ ok: false, outcome: 'failed' });
    expect(await writer.write([record(1)])).toMatchObject([{ ok: true, offset: 3n }]);
    expect(cluster.requests.map(producer)).toEqual([
      ['1', 0],
      ['1', 0],
      ['1', 0],
    ]);
  });

  it('sends nothing while it cannot get a new producer id, and tries again at the next write', async () => {
    await using writer = await openWriter();
    cluster.sessions.push(() => Promise.reject(new KafkaJSConnectionError('Failed to connect: connect ECONNREFUSED')));
    cluster.sessions.push(() => Promise.resolve({ producerId: '3', producerEpoch: 0 }));
    cluster.answers.push(lost(), lost(), 0n);
    await writer.write([record(0)]);
    await expect(writer.write([record(1)])).rejects.toThrow(/new producer id/);
    expect(cluster.requests).toHaveLength(2);
    expect(await writer.write([record(1)])).toMatchObject([{ ok: true, offset: 0n }]);
    expect(producer(cluster.requests.at(-1)!)).toEqual(['3', 0]);
  });

  it('sends each record as given: a tombstone, null header values and a repeated name, in the compression asked for', async () => {
    cluster.sessions.length = 0;
    cluster.sessions.push(() => Promise.resolve({ producerId: '9', producerEpoch: 0 }));
    await using writer = new KafkaWriter(new KafkaClient({ brokers: ['127.0.0.1:9'], logger: silentLogger }), { compression: 'zstd' });
    await writer.connect();
    cluster.requests.length = 0;
    cluster.answers.push(0n);
    const headers = { gone: null, seen: [Buffer.from('1'), null, Buffer.from('2')] };
    await writer.write([{ topic: 't', record: { key: Buffer.from('k'), value: null, headers, timestamp: '5' }, size: 1 }]);
    const batch = cluster.requests[0]!.batch;
    expect(batch.readInt16BE(21) & 0x07).toBe(4);
    const [record] = (await decodeRecordBatches(batch, 0n)).records;
    expect([record!.value, record!.headerList]).toEqual([
      null,
      [
        ['gone', null],
        ['seen', Buffer.from('1')],
        ['seen', null],
        ['seen', Buffer.from('2')],
      ],
    ]);
  });

  it('refuses an unknown compression when it is made, naming the option', () => {
    const make = () => new KafkaWriter(new KafkaClient({ brokers: ['127.0.0.1:9'], logger: silentLogger }), { compression: 'brotli' as never });
    expect(make).toThrow(/compression must be one of none, gzip, snappy, lz4, zstd, got brotli/);
  });
});
