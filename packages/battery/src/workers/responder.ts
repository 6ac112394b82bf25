/**
 * A responder worker (@tributary/messaging): a session registered for the path `battery/echo` that answers each
 * request with its id after a short piece of work, so a kill lands while requests are being handled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createMessaging } from '@tributary/messaging';
import { silentLogger } from '@tributary/kafka';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const workMs = env.numeric('WORK_MS', 20);
const messaging = createMessaging({ connection: { brokers: env.brokers, clientId: env.name }, prefix: env.setting('PREFIX'), sessionTimeoutMs: env.numeric('SESSION_TIMEOUT_MS', 6000), heartbeatMs: 1000, logger: silentLogger });

const ready = (async () => {
  const session = await messaging.openSession({ properties: { Role: 'responder' } });
  await session.registerRequestHandler('battery/echo', async (request: { id: string }) => {
    await sleep(Math.random() * workMs);
    return { id: request.id };
  });
  env.history.append({ k: 'start' });
})();
serve(env, { ready, work: ready, stop: () => messaging.close() });
