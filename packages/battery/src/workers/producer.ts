/**
 * A producer worker: sends keyed events (the key is the payload id, unique in the run) at a steady rate with the
 * kafka producer plugin (acks=all, idempotence), and records every event's outcome with where it was written.
 */
import { Event, FailedToSendEventError } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { silentLogger } from '@tributary/kafka';
import { pacedSends } from './paced-sends.js';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const topic = env.setting('TOPIC');
const rate = env.numeric('RATE', 200);
const maxInFlight = env.numeric('MAX_IN_FLIGHT', 100);
const producer = new KafkaProducerPlugin(
  { topic, brokers: env.brokers, clientId: env.name, acks: -1, idempotent: true, requestTimeoutMs: env.numeric('REQUEST_TIMEOUT_MS', 30_000) },
  { logger: silentLogger },
);
let running = true;

async function sendOne(id: string): Promise<void> {
  const sentAt = Date.now();
  const event = Event.create({ category: 'battery.produced', key: id, payload: { id, at: Date.now() } });
  try {
    const sent = await producer.send(event);
    env.history.append({ k: 'send', id, topic, status: 'ok', partition: sent.offset?.partition, offset: sent.offset?.offset.toString(), sentAt });
  } catch (error) {
    const status = error instanceof FailedToSendEventError ? (error.outcomes[0]?.status ?? 'unknown') : 'unknown';
    // `ok` inside a failed batch cannot happen for a single event; keep whatever the plugin says.
    env.history.append({ k: 'send', id, topic, status: status === 'ok' ? 'unknown' : status, sentAt });
  }
}

const opened = producer.open();
env.history.append({ k: 'start' });
const done = opened.then(() => pacedSends(rate, maxInFlight, () => running, (n) => sendOne(`${env.name}-${n}`)));
serve(env, {
  ready: opened,
  work: done,
  stop: async () => {
    running = false;
    await done;
    await producer.close();
  },
});
