/**
 * A stream listener worker (@tributary/streams): listens to the streams named in STREAMS from their current
 * header, and records what it receives: the header first (with the number of the put before it), every put's
 * number, and the close. Its process is its incarnation: a listener started again is a new listener. On stop it
 * waits (at most STOP_WAIT_MS) for the close of every stream, which the writer sends when it stops first, and
 * records that it stopped and what it listened to.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@tributary/kafka';
import { createStreams, type StreamDelivery } from '@tributary/streams';
import { serve, startWithRetries, workerEnv } from './worker-env.js';

const env = workerEnv();
const streams = env.setting('STREAMS').split(',');
const listener = env.setting('LISTENER', 'listener');
const incarnation = env.name;
const stopWaitMs = env.numeric('STOP_WAIT_MS', 45_000);
const hub = createStreams({ connection: { brokers: env.brokers, clientId: env.name, logger: silentLogger }, prefix: env.setting('PREFIX'), logger: silentLogger });
const ended = new Set<string>();

function receive(d: StreamDelivery): void {
  const base = { listener, incarnation, stream: d.stream };
  if (d.action === 'close') {
    ended.add(d.stream);
    env.history.append({ k: 'stream-end', ...base });
  } else if (d.action === 'header') env.history.append({ k: 'stream', ...base, seq: (d.message as { afterSeq: number }).afterSeq, header: true });
  else env.history.append({ k: 'stream', ...base, seq: (d.message as { seq: number }).seq });
}

env.history.append({ k: 'start' });
const listening = Promise.all(streams.map((s) => startWithRetries(() => hub.listen(s, { put: receive }))));
serve(env, {
  ready: listening,
  work: listening,
  stop: async () => {
    for (const deadline = Date.now() + stopWaitMs; ended.size < streams.length && Date.now() < deadline; ) await sleep(100);
    env.history.append({ k: 'stream-stop', listener, incarnation, streams });
    await hub.closeHub();
  },
});
