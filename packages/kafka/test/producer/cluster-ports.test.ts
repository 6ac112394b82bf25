import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createInternalCluster } from '../../src/internal/kafkajs-internals.js';

// The kafkajs internals the writer's produce path relies on, pinned against the installed kafkajs: its Broker's
// produce and initProducerId, the cluster's controller lookup, and a Produce encoder that writes the producer id,
// epoch and first sequence it is given into the record batch (the numbers the broker deduplicates retries by).

type Encodable = { encode(): Promise<{ buffer: Buffer }> };
type ProduceProtocol = { protocol(o: { version: number }): (request: object) => { request: Encodable } };

describe('the kafkajs internals the writer produces with', () => {
  it('a Cluster finds a controller broker and a Broker produces and asks for producer ids', async () => {
    const cluster = createInternalCluster(new Kafka({ clientId: 'contract', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }));
    expect(typeof cluster.findControllerBroker).toBe('function');
    const { default: Broker } = (await import('kafkajs/src/broker/index.js' as string)) as { default: { prototype: Record<string, unknown> } };
    expect(typeof Broker.prototype.produce).toBe('function');
    expect(typeof Broker.prototype.initProducerId).toBe('function');
  });

  it('Produce v7 carries the producer id, epoch and first sequence it is given in the batch header', async () => {
    const { default: produce } = (await import('kafkajs/src/protocol/requests/produce/index.js' as string)) as { default: ProduceProtocol };
    const { request } = produce.protocol({ version: 7 })({
      acks: -1,
      timeout: 1000,
      compression: 0,
      producerId: '123456789012',
      producerEpoch: 3,
      topicData: [{ topic: 'tp', partitions: [{ partition: 5, firstSequence: 2_147_483_000, messages: [{ key: 'k', value: 'v', timestamp: '1000' }] }] }],
    });
    const bytes = (await request.encode()).buffer;
    // transactional_id (null: int16 -1), acks, timeout, one topic "tp", one partition 5, then the record set.
    let at = 2 + 2 + 4 + 4;
    expect(bytes.readInt16BE(at)).toBe(2);
    at += 2 + 2;
    expect(bytes.readInt32BE(at)).toBe(1);
    expect(bytes.readInt32BE(at + 4)).toBe(5);
    const batch = bytes.subarray(at + 4 + 4 + 4);
    // RecordBatch: baseOffset 8, length 4, leader epoch 4, magic 1, crc 4, attributes 2, lastOffsetDelta 4, two timestamps 16.
    expect(batch.readInt8(16)).toBe(2);
    expect(batch.readBigInt64BE(43)).toBe(123456789012n);
    expect(batch.readInt16BE(51)).toBe(3);
    expect(batch.readInt32BE(53)).toBe(2_147_483_000);
  });
});
