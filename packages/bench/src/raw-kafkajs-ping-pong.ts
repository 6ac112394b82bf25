import { randomBytes } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { benchKafka } from './raw-kafkajs.js';
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
 * call. Responders: one consumer group over the request topic; each member has its own idempotent producer and
 * answers a fetched batch with one send of all its replies (`eachBatch`), partitions handled concurrently.
 */
export async function startRawPingPong(options: RawPingPongOptions): Promise<RoundTripper> {
  const kafka = benchKafka(options.brokers);
  const clients: Array<Consumer | Producer> = [];
  const consumer = (groupId: string) => {
    const c = kafka.consumer({ groupId, maxWaitTimeInMs: options.maxWaitTimeInMs, heartbeatInterval: 500 });
    clients.push(c);
    return c;
  };
  const producer = () => {
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    clients.push(p);
    return p;
  };
  const close = () => Promise.all(clients.map((c) => c.disconnect())).then(() => undefined);
  try {
    const responderGroup = `bench-rt-responders-${randomBytes(4).toString('hex')}`;
    const responders = Array.from({ length: options.responders }, () => ({ consumer: consumer(responderGroup), producer: producer() }));
    // Listening before run(): kafkajs' run() resolves only after the member's first join.
    const settled = waitForAssignment(responders.map((r) => r.consumer), options.requestPartitions);
    await Promise.all(responders.map((r) => startResponder(r.consumer, r.producer, options)));
    const requester = await startRequester(consumer(`bench-rt-requester-${randomBytes(4).toString('hex')}`), producer(), options);
    await settled;
    return { call: requester, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startResponder(consumer: Consumer, producer: Producer, options: RawPingPongOptions): Promise<void> {
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic: options.requestTopic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: options.requestPartitions,
    eachBatch: async ({ batch }) => {
      const replies = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: { [CORRELATION_ID]: m.headers?.[CORRELATION_ID] ?? '' } }));
      await producer.send({ topic: options.replyTopic, acks: -1, messages: replies });
    },
  });
}

/** Resolves when the responders' latest assignments share out the request partitions, one or more each. */
function waitForAssignment(consumers: Consumer[], partitions: number, timeoutMs = 60_000): Promise<void> {
  const assigned = new Map<Consumer, number>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`raw kafkajs responders did not share ${partitions} partitions in ${timeoutMs} ms: ${[...assigned.values()].join(', ')}`)), timeoutMs);
    for (const c of consumers) {
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        assigned.set(c, Object.values(payload.memberAssignment).reduce((n, list) => n + list.length, 0));
        const counts = [...assigned.values()];
        if (counts.length === consumers.length && counts.every((n) => n > 0) && counts.reduce((a, b) => a + b, 0) === partitions) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
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
