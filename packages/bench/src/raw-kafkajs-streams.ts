import { randomBytes } from 'node:crypto';
import { Partitioners, type Consumer } from 'kafkajs';
import { benchKafka } from './raw-kafkajs.js';
import { within } from './deadline.js';

/**
 * Where a record is, as a kafkajs user stores it to read the record again later (a stream's header, say), with
 * the record's key: a read checks it, so a wrong partition fails rather than timing some other record.
 */
export interface StoredOffset {
  key: string;
  partition: number;
  offset: string;
}

/** The partition kafkajs' default partitioner (Java's murmur2) gives a key: where a kafkajs producer writes it. */
export function kafkajsPartition(topic: string, key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

/** Settles a read when the record at its offset arrives: resolves when the key is the one stored, else rejects. */
function keyCheck(at: StoredOffset, resolve: () => void, reject: (error: Error) => void): (key: string | undefined) => void {
  return (key) => (key === at.key ? resolve() : reject(new Error(`raw kafkajs read key ${key} at partition ${at.partition} offset ${at.offset}, not ${at.key}`)));
}

export interface RawOffsetReaderOptions {
  brokers: string[];
  topic: string;
  partitions: number;
  /**
   * The consumer's fetch wait. An idle consumer (every partition paused) sleeps this long between looks at its
   * partitions, so it bounds how soon a resumed partition is fetched.
   */
  maxWaitTimeInMs: number;
  /** A read that has not arrived by then rejects. */
  timeoutMs: number;
}

/** Reads single records at stored offsets. */
export interface RawOffsetReader {
  /** Resolves when the record at `at` has reached the consumer's `eachBatch`. */
  read(at: StoredOffset): Promise<void>;
  close(): Promise<void>;
}

/**
 * Reading one record at a stored offset with raw kafkajs, the way a kafkajs user reads a stream's latest header
 * once they keep its offset: kafkajs has no `assign()`, so a consumer in a group of its own is given every
 * partition of the log topic, and keeps them all paused; a read seeks the record's partition to the offset,
 * resumes it, and pauses it again when the record arrives. No commits.
 */
export async function startRawOffsetReader(options: RawOffsetReaderOptions): Promise<RawOffsetReader> {
  const { topic } = options;
  const consumer = benchKafka(options.brokers).consumer({ groupId: `bench-streams-raw-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: options.maxWaitTimeInMs, heartbeatInterval: 500 });
  const waiting = new Map<string, (key: string | undefined) => void>();
  await consumer.connect();
  try {
    await subscribeAndRun(consumer, topic, (partition, offset, key) => {
      const place = `${partition}:${offset}`;
      const arrived = waiting.get(place);
      if (!arrived) return;
      waiting.delete(place);
      consumer.pause([{ topic, partitions: [partition] }]);
      arrived(key);
    });
    consumer.pause([{ topic, partitions: Array.from({ length: options.partitions }, (_, p) => p) }]);
  } catch (error) {
    await consumer.disconnect();
    throw error;
  }
  return {
    read: (at) => {
      const arrived = new Promise<void>((resolve, reject) => waiting.set(`${at.partition}:${at.offset}`, keyCheck(at, resolve, reject)));
      consumer.seek({ topic, partition: at.partition, offset: at.offset });
      consumer.resume([{ topic, partitions: [at.partition] }]);
      return within(arrived, options.timeoutMs, `raw kafkajs did not read ${topic} partition ${at.partition} offset ${at.offset}`);
    },
    close: () => consumer.disconnect(),
  };
}

/**
 * A new kafkajs consumer reading one record at a stored offset, the way a new kafkajs process would: connect,
 * join a group of its own (which gives it every partition), seek once `run()` has joined, and read until the
 * record arrives. Resolves with the milliseconds from the start to the record, after disconnecting.
 */
export async function timeReadWithNewConsumer(options: Omit<RawOffsetReaderOptions, 'partitions'>, at: StoredOffset): Promise<number> {
  const started = performance.now();
  const consumer = benchKafka(options.brokers).consumer({ groupId: `bench-streams-raw-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: options.maxWaitTimeInMs });
  let arrived!: (key: string | undefined) => void;
  const read = new Promise<number>((resolve, reject) => (arrived = keyCheck(at, () => resolve(performance.now()), reject)));
  try {
    await consumer.connect();
    await subscribeAndRun(consumer, options.topic, (partition, offset, key) => {
      if (partition === at.partition && offset === at.offset) arrived(key);
    });
    consumer.seek({ topic: options.topic, partition: at.partition, offset: at.offset });
    return (await within(read, options.timeoutMs, `a new raw kafkajs consumer did not read ${options.topic} partition ${at.partition} offset ${at.offset}`)) - started;
  } finally {
    await consumer.disconnect();
  }
}

/** Subscribe from the end, and run without commits; `run()` resolves once the consumer has joined its group. */
async function subscribeAndRun(consumer: Consumer, topic: string, onRecord: (partition: number, offset: string, key: string | undefined) => void): Promise<void> {
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) onRecord(batch.partition, m.offset, m.key?.toString('utf8'));
    },
  });
}
