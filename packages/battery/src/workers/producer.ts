/**
 * A producer worker: sends keyed events (the key is the payload id, unique in the run) at a steady rate with the
 * kafka producer plugin (acks=all, idempotence), and records every event's outcome with where it was written.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, FailedToSendEventError } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { silentLogger } from '@tributary/kafka';
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
let inFlight = 0;
let seq = 0;
const pending = new Set<Promise<void>>();

async function sendOne(id: string): Promise<void> {
  const event = Event.create({ category: 'battery.produced', key: id, payload: { id, at: Date.now() } });
  try {
    const sent = await producer.send(event);
    env.history.append({ k: 'send', id, topic, status: 'ok', partition: sent.offset?.partition, offset: sent.offset?.offset.toString() });
  } catch (error) {
    const status = error instanceof FailedToSendEventError ? (error.outcomes[0]?.status ?? 'unknown') : 'unknown';
    // `ok` inside a failed batch cannot happen for a single event; keep whatever the plugin says.
    env.history.append({ k: 'send', id, topic, status: status === 'ok' ? 'unknown' : status });
  }
}

const opened = producer.open();

async function produce(): Promise<void> {
  env.history.append({ k: 'start' });
  await opened;
  // Paced by the clock (a stall is not made up for by a burst) and bounded in flight (a stall cannot pile up sends).
  let credit = 0;
  let last = Date.now();
  while (running) {
    const now = Date.now();
    credit = Math.min(credit + ((now - last) / 1000) * rate, Math.max(1, rate));
    last = now;
    while (running && credit >= 1 && inFlight < maxInFlight) {
      credit--;
      const id = `${env.name}-${seq++}`;
      inFlight++;
      const sending = sendOne(id).finally(() => {
        inFlight--;
        pending.delete(sending);
      });
      pending.add(sending);
    }
    await sleep(10);
  }
}

const done = produce().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
serve(async () => {
  running = false;
  await done;
  await Promise.allSettled([...pending]);
  await producer.close();
  env.history.close();
}, opened);
