import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';

/** A record as raw kafkajs sends it: the anchor's unit of work. */
export type RawMessage = Message;

/** A kafkajs client as the framework configures one: quiet, same retries. */
export function benchKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'tributary-bench', brokers, logLevel: logLevel.NOTHING });
}

/** `count` messages of `size` bytes of value, keys spread over 64 values, optional extra headers. */
export function makeMessages(count: number, size: number, headers?: Record<string, Buffer>): Message[] {
  const value = randomBytes(size);
  return Array.from({ length: count }, (_, i) => ({ key: `key-${i % 64}`, value, ...(headers ? { headers } : {}) }));
}

/**
 * Produce `messages` with raw kafkajs `sendBatch`, acks=all and the idempotent producer, one request in flight
 * (what kafkajs' idempotence needs for ordered sequences), `batchSize` messages a request: the anchor for
 * every Node producing figure.
 */
export async function produceRaw(brokers: string[], topic: string, messages: Message[], batchSize = 1000): Promise<void> {
  const producer = benchKafka(brokers).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += batchSize) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(i, i + batchSize) }] });
    }
  } finally {
    await producer.disconnect();
  }
}

/** What a raw kafkajs consuming run measured. */
export interface RawConsumeResult {
  /** Value bytes read. */
  bytes: number;
  /** From the group join (kafkajs' GROUP_JOIN) to the last record: the throughput part of the run. */
  afterJoinSeconds: number;
  /** This process's CPU seconds over the same span. */
  afterJoinCpu: number;
}

/**
 * Consume `count` records of `topic` from the beginning with raw kafkajs `eachBatch` in a fresh group, doing
 * nothing per record: the anchor for every Node consuming figure. With `parseJson`, each value is also parsed
 * as JSON, as an application reading JSON events with kafkajs would: the like-for-like reading of a figure
 * that decodes every event.
 */
export async function consumeRaw(brokers: string[], topic: string, count: number, timeoutMs = 300_000, options: { parseJson?: boolean } = {}): Promise<RawConsumeResult> {
  const consumer = benchKafka(brokers).consumer({ groupId: `bench-raw-${randomBytes(4).toString('hex')}`, maxBytes: 10 * 1024 * 1024 });
  await consumer.connect();
  let seen = 0;
  let bytes = 0;
  let joined = { at: performance.now(), cpu: process.cpuUsage() };
  consumer.on(consumer.events.GROUP_JOIN, () => void (joined = { at: performance.now(), cpu: process.cpuUsage() }));
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw kafkajs consumed ${seen} of ${count} records of ${topic} in time`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            bytes += m.value?.length ?? 0;
            // As a kafkajs application reads a JSON event (the decoded object is dropped).
            if (options.parseJson && m.value !== null) JSON.parse(m.value.toString('utf8'));
          }
          seen += batch.messages.length;
          if (seen >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    const cpu = process.cpuUsage(joined.cpu);
    return { bytes, afterJoinSeconds: (performance.now() - joined.at) / 1000, afterJoinCpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await consumer.disconnect();
  }
}
