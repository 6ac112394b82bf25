import { randomBytes } from 'node:crypto';
import type { RoundTripper } from './round-trip.js';

/** The path every benchmark request goes to; its handler echoes the request. */
export const ECHO_PATH = 'bench/echo';

/**
 * The part of @tributary/messaging (issue 9) this case drives, as planned. The suite passes the package's own
 * module here, so the compiler checks that the package still has this shape; until the package exports it,
 * the case stays out of the suite (see suites/round-trip.ts).
 */
export interface MessagingModule {
  ensureMessagingTopics(connection: { brokers: string[] }, options: { prefix: string }): Promise<unknown>;
  createMessaging(options: { connection: { brokers: string[] }; prefix: string }): MessagingLike;
}

interface MessagingLike {
  openSession(options?: { properties?: Record<string, string> }): Promise<SessionLike>;
  close(): Promise<void>;
}

interface SessionLike {
  registerRequestHandler(path: string, handler: (request: unknown) => Promise<unknown>, options: { requestType: 'json'; responseType: 'json' }): Promise<unknown>;
  sendRequestToPath(path: string, request: unknown, options: { timeout: number }): Promise<unknown>;
}

export interface TributaryRoundTripOptions {
  brokers: string[];
  responders: number;
  /** JSON request (and echoed response) of about this many bytes. */
  payloadBytes: number;
  /** Each request's deadline: past it the call rejects with RequestTimeoutError. */
  timeoutMs: number;
}

/**
 * Request/response through Tributary messaging, shaped as the raw kafkajs ping-pong: the requester and each
 * responder have a messaging instance of their own, as separate processes would (one instance per process
 * shares its readers and writer), on topics with a prefix of their own. Each responder is a session
 * registered for {@link ECHO_PATH}; the requester sends to the path, so requests balance between them.
 */
export async function startTributaryRoundTrip(messaging: MessagingModule, options: TributaryRoundTripOptions): Promise<RoundTripper> {
  const connection = { brokers: options.brokers };
  const prefix = `bench-rt-${randomBytes(4).toString('hex')}`;
  await messaging.ensureMessagingTopics(connection, { prefix });
  const instances: MessagingLike[] = [];
  const close = () => Promise.all(instances.map((m) => m.close())).then(() => undefined);
  try {
    for (let i = 0; i < options.responders; i++) {
      const m = messaging.createMessaging({ connection, prefix });
      instances.push(m);
      const responder = await m.openSession({ properties: { role: 'responder' } });
      await responder.registerRequestHandler(ECHO_PATH, async (request) => request, { requestType: 'json', responseType: 'json' });
    }
    const m = messaging.createMessaging({ connection, prefix });
    instances.push(m);
    const requester = await m.openSession();
    const base = { note: 'n'.repeat(Math.max(0, options.payloadBytes - 20)) };
    const call = async (seq: number) => void (await requester.sendRequestToPath(ECHO_PATH, { n: seq, ...base }, { timeout: options.timeoutMs }));
    await firstAnswer(call, options.timeoutMs);
    return { call, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Retry until a request is answered: a requester learns the responders' sessions from the sessions topic, so
 * the first requests may find no handler yet. Whatever is still settling is then left to the warm-up.
 */
async function firstAnswer(call: (seq: number) => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.max(timeoutMs, 30_000);
  for (let seq = -1; ; seq--) {
    try {
      return await call(seq);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
