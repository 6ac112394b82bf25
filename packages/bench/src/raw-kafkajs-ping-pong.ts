import { randomBytes } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { benchKafka } from './raw-kafkajs.js';
import { spawnResponders } from './responder-processes.js';
import type { RoundTripper } from './round-trip.js';

/** The header that carries a request's id to the responder and back on its reply. */
const CORRELATION_ID = 'correlation-id';

export interface RawPingPongOptions {
  brokers: string[];
  /** Responders read it in one consumer group: give it at least `responders` partitions. */
  requestTopic: string;
  requestPartitions: number;
  /** Read by the requester alone (its own group). */
  replyTopic: string;
  responders: number;
  payloadBytes: number;
  /**
   * The consumers' fetch wait. A fetch returns as soon as a record arrives (minBytes 1) whatever this is; a short
   * wait keeps idle consumers heartbeating often, so the responders' group settles in a second, not in 5 s steps.
   */
  maxWaitTimeInMs: number;
  /** A request with no reply by then rejects. */
  timeoutMs: number;
}

/**
 * Request/response written with raw kafkajs as a competent user would, the anchor of the round-trip figures.
 * Requester: one idempotent producer (acks all, one request in flight, as every anchor of the benchmark) sends
 * each request with a correlation id header; its own consumer reads the reply topic and settles the matching
 * call. Responders: one consumer group over the request topic, each member a process of its own (as responders
 * are deployed, and as Tributary's are measured) with its own idempotent producer, answering a fetched batch with
 * one send of all its replies (`eachBatch`), partitions handled concurrently.
 */
export async function startRawPingPong(options: RawPingPongOptions): Promise<RoundTripper> {
  const kafka = benchKafka(options.brokers);
  const groupId = `bench-rt-responders-${randomBytes(4).toString('hex')}`;
  // Ready once the latest joins share out the request partitions, one or more each.
  const shared = (assigned: readonly number[]) => assigned.every((n) => n > 0) && assigned.reduce((a, b) => a + b, 0) === options.requestPartitions;
  const responders = spawnResponders(options.responders, { kind: 'kafkajs', groupId, ...options }, shared);
  const consumer = kafka.consumer({ groupId: `bench-rt-requester-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: options.maxWaitTimeInMs, heartbeatInterval: 500 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const close = async () => {
    await Promise.all([consumer.disconnect(), producer.disconnect(), responders.close()]);
  };
  try {
    await responders.ready;
    const requester = await startRequester(consumer, producer, options);
    return { call: requester, close, pids: responders.pids };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * One responder: a member of `groupId` answering every request with its value and correlation id. `assigned`
 * hears how many request partitions each join gave it. Resolves with its close.
 */
export async function startRawResponder(options: RawPingPongOptions, groupId: string, assigned: (partitions: number) => void): Promise<() => Promise<void>> {
  const kafka = benchKafka(options.brokers);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: options.maxWaitTimeInMs, heartbeatInterval: 500 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => assigned(Object.values(payload.memberAssignment).reduce((n, list) => n + list.length, 0)));
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: options.requestTopic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.requestPartitions,
    eachBatch: async ({ batch }) => {
      const replies = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: { [CORRELATION_ID]: m.headers?.[CORRELATION_ID] ?? '' } }));
      await producer.send({ topic: options.replyTopic, acks: -1, messages: replies });
    },
  });
  return async () => {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  };
}

async function startRequester(consumer: Consumer, producer: Producer, options: RawPingPongOptions): Promise<(seq: number) => Promise<void>> {
  const pending = new Map<string, () => void>();
  await Promise.all([producer.connect(), consumer.connect()]);
  // The reply topic is new: from the beginning is from the first reply.
  await consumer.subscribe({ topic: options.replyTopic, fromBeginning: true });
  // run() resolves once the requester has joined its group and owns the reply topic.
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) pending.get(String(m.headers?.[CORRELATION_ID]))?.();
    },
  });
  const value = randomBytes(options.payloadBytes);
  return async (seq) => {
    const id = String(seq);
    let forget!: () => void;
    // Registered before the send: a reply can arrive before the send's own acknowledgement.
    const replied = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`raw kafkajs ping-pong: no reply to request ${id} in ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      forget = () => {
        clearTimeout(timer);
        pending.delete(id);
      };
      pending.set(id, () => {
        forget();
        resolve();
      });
    });
    try {
      await producer.send({ topic: options.requestTopic, acks: -1, messages: [{ key: id, value, headers: { [CORRELATION_ID]: id } }] });
    } catch (error) {
      forget();
      throw error;
    }
    await replied;
  };
}
