/**
 * A requester worker (@tributary/messaging): keeps a few requests to the path `battery/echo` in flight, and records
 * each request before it is sent and its one outcome: `response` (the responder echoed its id), `wrong-response`,
 * or the error's code. On stop it sends no more and waits for every outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createMessaging } from '@tributary/messaging';
import { silentLogger } from '@tributary/kafka';
import { serve, startWithRetries, workerEnv } from './worker-env.js';

const env = workerEnv();
const concurrency = env.numeric('CONCURRENCY', 8);
const timeoutMs = env.numeric('REQUEST_TIMEOUT_MS', 30_000);
const messaging = createMessaging({ connection: { brokers: env.brokers, clientId: env.name }, prefix: env.setting('PREFIX'), sessionTimeoutMs: env.numeric('SESSION_TIMEOUT_MS', 6000), heartbeatMs: 1000, logger: silentLogger });
let running = true;
let seq = 0;

// The battery waits for the session: a requester that could not open one fails the run rather than leave it without requests.
const opened = startWithRetries(() => messaging.openSession({ properties: { Role: 'requester' } }));

async function loop(): Promise<void> {
  const session = await opened;
  env.history.append({ k: 'start' });
  const one = async (): Promise<void> => {
    while (running) {
      const id = `${env.name}-${seq++}`;
      env.history.append({ k: 'request', id });
      try {
        const answer = (await session.sendRequestToPath('battery/echo', { id }, { timeout: timeoutMs })) as { id?: string };
        env.history.append({ k: 'outcome', id, outcome: answer?.id === id ? 'response' : 'wrong-response' });
      } catch (error) {
        env.history.append({ k: 'outcome', id, outcome: (error as { code?: string }).code ?? (error as Error).name });
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
}

const done = loop();
serve(env, {
  ready: opened,
  work: done,
  stop: async () => {
    running = false;
    await done;
    await messaging.close();
  },
});
