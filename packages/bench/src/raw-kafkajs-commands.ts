import { randomBytes } from 'node:crypto';
import { benchKafka } from './raw-kafkajs.js';

/** kafkajs' producer, named through the bench's client (only the raw-kafkajs modules import kafkajs). */
type Producer = ReturnType<ReturnType<typeof benchKafka>['producer']>;

/** What a raw kafkajs pass over a commands topic measured, on the same basis as a processor run. */
export interface RawCommandsRun {
  /** From the connect() call (connect, group join) to the last record handled. */
  seconds: number;
  /** From the group join (kafkajs' GROUP_JOIN) to the last record handled. */
  afterJoinSeconds: number;
  /** This process's CPU seconds over `seconds`. */
  cpu: number;
}

/**
 * With a topic for marks: every batch kafkajs fetched in a Kafka transaction of its own (kafkajs' `transaction()`),
 * holding a mark record keyed by each message's id and the group's offset commit (`sendOffsets`), as the processor
 * does with transactions and its Kafka store (Spring's and Karafka's read-process-write, a transaction per poll).
 */
export interface RawTransactions {
  markTopic: string;
}

/**
 * The anchor of the processor's throughput: a raw kafkajs consumer in a fresh group reads `count` command
 * records of `topic` from the beginning and does the per-message work a command processor must do at least:
 * decode the JSON envelope, look at its type, and mark the offset done; offsets are committed after each batch
 * (kafkajs' default with no commit interval or threshold), as a competent user would leave it, or in a
 * transaction per batch with `transactions`.
 */
export async function consumeCommandsRaw(brokers: string[], topic: string, count: number, timeoutMs: number, transactions?: RawTransactions): Promise<RawCommandsRun> {
  const kafka = benchKafka(brokers);
  const groupId = `bench-commands-raw-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxBytes: 10 * 1024 * 1024 });
  const producer = transactions ? kafka.producer({ transactionalId: `${groupId}-worker`, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }) : undefined;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let joinedAt = started;
  consumer.on(consumer.events.GROUP_JOIN, () => void (joinedAt = performance.now()));
  let handled = 0;
  let echoes = 0;
  try {
    await Promise.all([consumer.connect(), producer?.connect()]);
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw kafkajs handled ${handled} of ${count} command records of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          autoCommit: !transactions,
          eachBatch: async (payload) => {
            const marks: Array<Buffer | string | null> = [];
            for (const m of payload.batch.messages) {
              const envelope = JSON.parse(m.value!.toString('utf8')) as { type?: string };
              if (envelope.type === 'echo') echoes++;
              if (!transactions) continue;
              const id = m.headers?.['tributary-id'];
              marks.push((Array.isArray(id) ? id[0] : id) ?? m.key);
            }
            const last = payload.batch.messages.at(-1);
            if (producer && transactions && last) {
              const place = { topic: payload.batch.topic, partition: payload.batch.partition, next: String(BigInt(last.offset) + 1n) };
              await commitInTransaction(producer, transactions.markTopic, groupId, place, marks);
            }
            for (const m of payload.batch.messages) payload.resolveOffset(m.offset);
            handled += payload.batch.messages.length;
            await payload.heartbeat();
            if (handled >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    const ended = performance.now();
    if (echoes !== count) throw new Error(`raw kafkajs decoded ${echoes} echo envelopes among ${handled} records of ${topic}, expected ${count}`);
    const used = process.cpuUsage(cpu);
    return { seconds: (ended - started) / 1000, afterJoinSeconds: (ended - joinedAt) / 1000, cpu: (used.user + used.system) / 1e6 };
  } finally {
    await Promise.all([consumer.disconnect(), producer?.disconnect()]);
  }
}

/** A batch's marks (keyed by each message's id) and offset commit (`next`: the offset after it) in one transaction. */
async function commitInTransaction(producer: Producer, markTopic: string, groupId: string, place: { topic: string; partition: number; next: string }, ids: ReadonlyArray<Buffer | string | null>): Promise<void> {
  const transaction = await producer.transaction();
  try {
    await transaction.send({ topic: markTopic, acks: -1, messages: ids.map((id) => ({ key: id, value: '1' })) });
    await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: place.topic, partitions: [{ partition: place.partition, offset: place.next }] }] });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  }
}

/** Raw kafkajs running Countdown chains: `chain()` times one from its send to its last follow-up handled. */
export interface RawChainBed {
  chain(depth: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The anchor of the chain latency: the processor's chain written with raw kafkajs as a competent user would. One
 * idempotent producer (acks all, one request in flight, as every anchor) sends the first command; a consumer
 * group on `topic` (fetch wait 100 ms, as the ping-pong anchor) decodes each command and, while its counter is
 * above 0, sends the next one and awaits the acknowledgement before the offset is resolved; offsets are committed
 * after each batch. No dedupe store: this is the floor a chain of Kafka hops has on this broker.
 */
export async function startRawChain(brokers: string[], topic: string, timeoutMs: number): Promise<RawChainBed> {
  const kafka = benchKafka(brokers);
  const consumer = kafka.consumer({ groupId: `bench-commands-raw-chain-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100, heartbeatInterval: 500 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const ends = new Map<string, (at: number) => void>();
  const send = (correlationId: string, left: number) =>
    producer.send({ topic, acks: -1, messages: [{ key: correlationId, value: JSON.stringify({ type: 'countdown', body: { left } }), headers: { 'correlation-id': correlationId } }] });
  const close = async () => void (await Promise.allSettled([consumer.disconnect(), producer.disconnect()]));
  try {
    await Promise.all([consumer.connect(), producer.connect()]);
    await consumer.subscribe({ topic, fromBeginning: true });
    // run() resolves once the member has joined its group and owns the topic's partitions.
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const m of batch.messages) {
          const { body } = JSON.parse(m.value!.toString('utf8')) as { body: { left: number } };
          const correlationId = String(m.headers?.['correlation-id']);
          if (body.left > 0) await send(correlationId, body.left - 1);
          else ends.get(correlationId)?.(performance.now());
          resolveOffset(m.offset);
          await heartbeat();
        }
      },
    });
  } catch (error) {
    await close();
    throw error;
  }
  const chain = async (depth: number) => {
    const correlationId = randomBytes(8).toString('hex');
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<number>((resolve, reject) => {
      ends.set(correlationId, resolve);
      timer = setTimeout(() => reject(new Error(`raw kafkajs: the chain ${correlationId} of ${depth} follow-ups did not end in ${timeoutMs} ms`)), timeoutMs);
    });
    const started = performance.now();
    try {
      await send(correlationId, depth);
      return (await ended) - started;
    } finally {
      clearTimeout(timer);
      ends.delete(correlationId);
    }
  };
  return { chain, close };
}
