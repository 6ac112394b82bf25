/**
 * A stream writer worker (@tributary/streams): keeps the keyed streams named in STREAMS going, each a header
 * `{ afterSeq: -1 }`, then numbered puts `{ seq }` one after the other at RATE per second, and a header
 * `{ afterSeq }` (the last put before it) every HEADER_EVERY puts, so a listener that joins late knows which put
 * comes next. Every put's outcome is recorded; a put that failed is put again under the same number (it may have
 * landed the first time). On stop it closes every stream and records each close with its last acknowledged put.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@tributary/kafka';
import { createStreams } from '@tributary/streams';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const streams = env.setting('STREAMS').split(',');
const rate = env.numeric('RATE', 20);
const headerEvery = env.numeric('HEADER_EVERY', 25);
const hub = createStreams({ connection: { brokers: env.brokers, clientId: env.name, logger: silentLogger }, prefix: env.setting('PREFIX'), logger: silentLogger });
let running = true;

/** Call until it succeeds (a header or a close written twice is harmless), or until `deadline`. */
async function persist(write: () => Promise<void>, deadline = Infinity): Promise<boolean> {
  for (;;) {
    try {
      await write();
      return true;
    } catch {
      if (Date.now() > deadline) return false;
      await sleep(200);
    }
  }
}

async function writeStream(stream: string, begun: Promise<boolean>): Promise<void> {
  await begun;
  let seq = 0;
  let next = Date.now();
  while (running) {
    next += 1000 / rate;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
    else next = Date.now(); // a stall is not made up for by a burst
    try {
      await hub.put(stream, { seq });
    } catch {
      env.history.append({ k: 'stream-put', stream, seq, status: 'failed' });
      await sleep(200);
      continue;
    }
    env.history.append({ k: 'stream-put', stream, seq, status: 'ok' });
    seq++;
    if (seq % headerEvery === 0) await persist(() => hub.setHeader(stream, { afterSeq: seq - 1 }));
  }
  if (await persist(() => hub.close(stream), Date.now() + 45_000)) env.history.append({ k: 'stream-close', stream, lastSeq: seq - 1 });
}

env.history.append({ k: 'start' });
const begun = streams.map((s) => persist(() => hub.setHeader(s, { afterSeq: -1 })));
const done = Promise.all(streams.map((s, i) => writeStream(s, begun[i]!)));
serve(env, {
  ready: Promise.all(begun),
  work: done,
  stop: async () => {
    running = false;
    await done;
    await hub.closeHub();
  },
});
