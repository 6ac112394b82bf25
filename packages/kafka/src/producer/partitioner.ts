import { InvalidArgumentError, quote } from '@tributary/core';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 hash (the Java client's `Utils.murmur2`, which kafkajs' DefaultPartitioner copies), as a
 * signed 32-bit integer, so a key hashes here exactly as on Kafka.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  // The Java switch falls through from 3 to 2 to 1.
  const rest = length % 4;
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner picks for a key: `toPositive(murmur2(key)) % partitions`, where
 * `toPositive(x) = x & 0x7fffffff`. A string key is hashed as its UTF-8 bytes.
 * @throws InvalidArgumentError when `partitions` is not a positive integer.
 */
export function partitionForKey(key: Uint8Array | string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new InvalidArgumentError(`Invalid partition count ${quote(partitions)}: expected a positive integer`, { value: partitions, expected: 'partition count' });
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return (murmur2(bytes) & 0x7fffffff) % partitions;
}
