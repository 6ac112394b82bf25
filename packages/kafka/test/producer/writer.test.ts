import { describe, expect, it, vi } from 'vitest';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaClient } from '../../src/connection/kafka-client.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { PartitionAnswer } from '../../src/producer/sender.js';
import { KafkaWriter, type KafkaWriterOptions, type RecordToWrite } from '../../src/producer/writer.js';
import type { ProducePartitionRequest } from '../../src/protocol/produce-protocol.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';

/** The cluster the writer meets: one broker that appends everything, and the requests it saw. */
const cluster = vi.hoisted(() => ({
  requests: [] as Array<readonly ProducePartitionRequest[]>,
  ends: new Map<string, bigint>(),
  partitions: 4,
  /** Answers of the next partition lookups (a count, or an error to throw), before `partitions` answers. */
  lookups: [] as Array<number | Error>,
  lookupCount: 0,
}));

vi.mock('../../src/producer/cluster-ports.js', () => ({
  ClusterProducePorts: class {
    async connect() {}
    async disconnect() {}
    async initProducerId() {
      return { producerId: 1n, producerEpoch: 0 };
    }
    async addTopic() {}
    async partitionCount() {
      cluster.lookupCount++;
      const next = cluster.lookups.shift() ?? cluster.partitions;
      if (next instanceof Error) throw next;
      return { count: next, everyBrokerAnswered: true };
    }
    lastLookup() {
      return 'node 1 (asked first): none';
    }
    leaderOf() {
      return 1;
    }
    async refreshMetadata() {}
    async produce(_node: number, request: { partitions: readonly ProducePartitionRequest[] }) {
      cluster.requests.push(request.partitions);
      await new Promise((r) => setTimeout(r, 2));
      const answers = new Map<string, PartitionAnswer>();
      for (const { topic, partition, records } of request.partitions) {
        const id = `${topic}\u0000${partition}`;
        const base = cluster.ends.get(id) ?? 0n;
        cluster.ends.set(id, base + BigInt(records.readInt32BE(57)));
        answers.set(id, { baseOffset: base });
      }
      return answers;
    }
  },
}));

vi.mock('../../src/admin/kafka-admin.js', () => ({
  KafkaAdmin: class {
    async connect() {}
    async close() {}
  },
}));

const record = (partition: number, value: string, size = 10): RecordToWrite => ({
  topic: 't',
  partition,
  record: { key: Buffer.from('k'), value: Buffer.from(value), headers: {}, timestamp: '0' },
  size,
});

function makeWriter(options: KafkaWriterOptions = {}): KafkaWriter {
  cluster.requests.length = 0;
  cluster.ends.clear();
  cluster.lookups.length = 0;
  cluster.lookupCount = 0;
  return new KafkaWriter(new KafkaClient({ brokers: ['127.0.0.1:9'], logger: silentLogger }), options);
}

const offsets = (results: Awaited<ReturnType<KafkaWriter['write']>>) => results.map((r) => (r.ok ? `${r.partition}@${r.offset}` : r.outcome));

describe('KafkaWriter', () => {
  it('gives each record the offset of its place in its partition, and sends the partitions of a broker in one request', async () => {
    await using writer = makeWriter();
    await writer.connect();
    const results = await writer.write([record(0, 'a'), record(1, 'b'), record(0, 'c'), record(3, 'd')]);
    expect(offsets(results)).toEqual(['0@0', '1@0', '0@1', '3@0']);
    expect(cluster.requests.map((r) => r.map((p) => p.partition))).toEqual([[0, 1, 3]]);
  });

  it('merges concurrent writes into shared requests and answers each caller for its own records, in order', async () => {
    await using writer = makeWriter();
    await writer.connect();
    const writes = Array.from({ length: 20 }, (_, i) => writer.write([record(i % 2, `v${i}`)]));
    const results = (await Promise.all(writes)).map(offsets);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => [`${i % 2}@${Math.floor(i / 2)}`]));
    expect(cluster.requests.map((r) => r.map((p) => `${p.partition}:${p.records.readInt32BE(57)}`))).toEqual([['0:10', '1:10']]);
  });

  it('connects at the first write when connect() was not called', async () => {
    await using writer = makeWriter();
    expect(offsets(await writer.write([record(2, 'x')]))).toEqual(['2@0']);
  });

  it('closes a batch at batchSize bytes (maxBatchBytes still read as its old name)', async () => {
    // Each record counts its 10 bytes and 24 of encoding: two fit in 68.
    for (const options of [{ batchSize: 68 }, { maxBatchBytes: 68 }]) {
      await using writer = makeWriter(options);
      const results = await writer.write(['a', 'b', 'c', 'd', 'e'].map((v) => record(0, v)));
      expect(offsets(results)).toEqual(['0@0', '0@1', '0@2', '0@3', '0@4']);
      expect(cluster.requests.map((r) => r.map((p) => p.records.readInt32BE(57)))).toEqual([[2], [2], [1]]);
    }
  });

  it('waits lingerMs for more records before sending a batch that is not full', async () => {
    await using writer = makeWriter({ lingerMs: 50 });
    await writer.connect();
    const first = writer.write([record(0, 'a')]);
    await new Promise((r) => setTimeout(r, 20));
    const second = writer.write([record(0, 'b')]);
    await Promise.all([first, second]);
    expect(cluster.requests.map((r) => r.map((p) => p.records.readInt32BE(57)))).toEqual([[2]]);
  });

  it('sends each record as given: a tombstone, null header values and a repeated name, in the compression asked for', async () => {
    await using writer = makeWriter({ compression: 'zstd' });
    const headers = { gone: null, seen: [Buffer.from('1'), null, Buffer.from('2')] };
    await writer.write([{ topic: 't', record: { key: Buffer.from('k'), value: null, headers, timestamp: '5' }, size: 1 }]);
    const batch = cluster.requests[0]![0]!.records;
    expect(batch.readInt16BE(21) & 0x07).toBe(4);
    const [decoded] = (await decodeRecordBatches(batch, 0n)).records;
    expect([decoded!.value, decoded!.headerList]).toEqual([
      null,
      [
        ['gone', null],
        ['seen', Buffer.from('1')],
        ['seen', null],
        ['seen', Buffer.from('2')],
      ],
    ]);
  });

  it('refuses a partition the topic does not have, sending nothing', async () => {
    await using writer = makeWriter();
    await expect(writer.write([record(0, 'a'), record(7, 'b')])).rejects.toThrow(/has 4 partitions; a record asks for partition 7/);
    expect(cluster.requests).toEqual([]);
  });

  it('refuses a timestamp that is not whole milliseconds, sending nothing of the write, and goes on', async () => {
    await using writer = makeWriter();
    await writer.connect();
    await writer.write([record(0, 'warm')]);
    const bad = { ...record(1, 'b'), record: { ...record(1, 'b').record, timestamp: '12.5' } };
    await expect(writer.write([record(0, 'a'), bad])).rejects.toThrow(/Record 1 for topic "t" has timestamp "12.5"/);
    expect(offsets(await writer.write([record(0, 'c')]))).toEqual(['0@1']);
    expect(cluster.requests.flat().map((p) => `${p.partition}:${p.records.readInt32BE(57)}`)).toEqual(['0:1', '0:1']);
  });

  it('takes the bytes of a record when write() returns: buffers changed after that are not what is sent', async () => {
    await using writer = makeWriter({ lingerMs: 50 });
    await writer.connect();
    await writer.write([record(0, 'warm')]);
    const value = Buffer.from('before');
    const written = writer.write([{ topic: 't', partition: 0, record: { key: null, value, headers: {}, timestamp: '1' }, size: 6 }]);
    value.write('after!');
    await written;
    const [decoded] = (await decodeRecordBatches(cluster.requests[1]![0]!.records, 0n)).records;
    expect(decoded!.value!.toString()).toBe('before');
  });

  it('refuses wrong options when it is made, naming the option', () => {
    const make = (options: KafkaWriterOptions) => () => makeWriter(options);
    expect(make({ compression: 'brotli' as never })).toThrow(/compression must be one of none, gzip, snappy, lz4, zstd, got brotli/);
    expect(make({ lingerMs: -1 })).toThrow(/lingerMs must be a number from 0/);
    expect(make({ batchSize: 0 })).toThrow(/batchSize must be a number from 1/);
    expect(make({ maxInFlightRequests: 6 })).toThrow(/maxInFlightRequests must be a number from 1 to 5/);
    expect(make({ acks: 1 })).toThrow(/idempotent writes need acks -1/);
  });

  describe('topic lookups', () => {
    it('looks up a topic no broker knows yet again, and writes once one does', async () => {
      await using writer = makeWriter();
      cluster.lookups.push(0, 0);
      expect(offsets(await writer.write([record(2, 'a')]))).toEqual(['2@0']);
      expect(cluster.lookupCount).toBe(3);
    });

    it('fails a write to a topic that stays unknown after about a second, naming it; writes queued behind the lookup fail with it', async () => {
      await using writer = makeWriter();
      cluster.partitions = 0;
      try {
        const writes = Array.from({ length: 20 }, (_, i) => writer.write([record(0, `v${i}`)]));
        const outcomes = await Promise.allSettled(writes);
        expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof TributaryError && o.reason.code === ErrorCodes.INVALID_ARGUMENT && /Topic "t" does not exist/.test(o.reason.message))).toBe(true);
        // One series of lookups (asked again with back-off for about a second) answered all twenty, not twenty series.
        expect(cluster.lookupCount).toBeGreaterThanOrEqual(4);
        expect(cluster.lookupCount).toBeLessThan(10);
        // A write made after that failure asks again.
        const asked = cluster.lookupCount;
        cluster.partitions = 4;
        expect(offsets(await writer.write([record(1, 'late')]))).toEqual(['1@0']);
        expect(cluster.lookupCount).toBe(asked + 1);
      } finally {
        cluster.partitions = 4;
      }
    });

    it('tries a lookup that failed retriably again, and fails at once on an error that is not', async () => {
      await using writer = makeWriter();
      cluster.lookups.push(Object.assign(new Error('connection closed'), { retriable: true }));
      expect(offsets(await writer.write([record(0, 'a')]))).toEqual(['0@0']);
      expect(cluster.lookupCount).toBe(2);
      cluster.lookups.push(Object.assign(new Error('Not authorized to access topics'), { retriable: false, type: 'TOPIC_AUTHORIZATION_FAILED' }));
      await expect(writer.partitionCount('u')).rejects.toMatchObject({ code: ErrorCodes.AUTHORIZATION });
    });

    it('keeps a known count when a refresh finds no partitions, and takes a grown one', async () => {
      await using writer = makeWriter();
      expect(await writer.partitionCount('t')).toBe(4);
      cluster.lookups.push(0);
      expect(await writer.partitionCount('t', true)).toBe(4);
      cluster.lookups.push(6);
      expect(await writer.partitionCount('t', true)).toBe(6);
      expect(await writer.partitionCount('t')).toBe(6);
    });
  });
});
