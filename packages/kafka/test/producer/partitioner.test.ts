import { randomBytes } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/producer/partitioner.js';

describe('murmur2', () => {
  // The vectors of Kafka's own test (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j as the Java client does', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });
});

describe('partitionForKey', () => {
  it('picks the partition kafkajs\' default (Java-compatible) partitioner picks, for random keys and counts', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2000; i++) {
      const key = i % 2 === 0 ? randomBytes(i % 37) : Buffer.from(`user-${i}-é`);
      const partitions = 1 + (i % 13);
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
      expect(partitionForKey(key, partitions), `key ${key.toString('hex')} over ${partitions}`).toBe(expected);
    }
  });

  it('hashes a string key as its UTF-8 bytes', () => {
    expect(partitionForKey('clé', 7)).toBe(partitionForKey(Buffer.from('clé', 'utf8'), 7));
  });

  it.each([0, -1, 1.5])('rejects %s partitions', (count) => {
    expect(() => partitionForKey('k', count)).toThrow(/partition count/);
  });
});
