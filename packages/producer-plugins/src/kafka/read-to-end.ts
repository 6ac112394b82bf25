import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** One record as read back from Kafka, with its exact offset. */
export interface ReadRecord {
  topic: string;
  partition: number;
  /** Decimal offset (exact: Kafka offsets are 64-bit). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: string;
}

/**
 * Read every record of `topic`, from the start of each partition up to the end captured when the call starts:
 * what a schema log catches up with, and what tests check writes against (missing, extra, duplicate ids,
 * offsets). kafkajs can only consume through a group, so this uses a throwaway group that never commits.
 * Fails after `timeoutMs` naming the partitions not read to the end.
 */
export async function readToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    // Right after a topic is created its leaders may not answer ListOffsets yet: retry for a few seconds.
    for (let attempt = 0; ; attempt++) {
      try {
        for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
        break;
      } catch (error) {
        if (attempt >= 50 || !(error as { retriable?: boolean }).retriable) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const records: ReadRecord[] = [];
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `tributary-reader-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`readToEnd(${topic}) timed out; partitions not read to the end: ${[...remaining].join(',')}`)), timeoutMs);
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const offset = BigInt(message.offset);
            const end = ends.get(partition) ?? 0n;
            if (offset < end) {
              records.push({ topic, partition, offset: message.offset, key: message.key, value: message.value, headers: toBuffers(message.headers), timestamp: message.timestamp });
            }
            if (offset + 1n >= end && remaining.delete(partition) && remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

function toBuffers(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (v !== undefined) out[name] = Buffer.isBuffer(v) ? v : Buffer.from(v);
  }
  return out;
}
