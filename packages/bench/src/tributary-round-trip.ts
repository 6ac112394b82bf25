import { randomBytes } from 'node:crypto';
import { createMessaging, ensureMessagingTopics, type Messaging } from '@tributary/messaging';
import { spawnResponders } from './responder-processes.js';
import type { RoundTripper } from './round-trip.js';

/** The path every benchmark request goes to; its handler echoes the request. */
export const ECHO_PATH = 'bench/echo';

export interface TributaryRoundTripOptions {
  brokers: string[];
  responders: number;
  /** JSON request (and echoed response) of about this many bytes. */
  payloadBytes: number;
  /** Each request's deadline: past it the call rejects with RequestTimeoutError. */
  timeoutMs: number;
  /** The requester's `stickyRequests` option. Default 1. */
  stickyRequests?: number;
}

/**
 * Request/response through Tributary messaging, shaped as the raw kafkajs ping-pong: each responder a process of
 * its own with its messaging instance (one instance per process shares its readers and writer), the requester in
 * this one, on topics with a prefix of their own. Each responder is a session registered for {@link ECHO_PATH};
 * the requester sends to the path, so requests balance between them.
 */
export async function startTributaryRoundTrip(options: TributaryRoundTripOptions): Promise<RoundTripper> {
  const connection = { brokers: options.brokers };
  const prefix = `bench-rt-${randomBytes(4).toString('hex')}`;
  await ensureMessagingTopics(connection, { prefix });
  const responders = spawnResponders(options.responders, { kind: 'tributary', brokers: options.brokers, prefix });
  const m = createMessaging({ connection, prefix, ...(options.stickyRequests ? { stickyRequests: options.stickyRequests } : {}) });
  const close = async () => {
    await Promise.all([m.close(), responders.close()]);
  };
  try {
    await responders.ready;
    const requester = await m.openSession();
    await seesResponders(m, options.responders, options.timeoutMs);
    const base = { note: 'n'.repeat(Math.max(0, options.payloadBytes - 20)) };
    return { call: async (seq) => void (await requester.sendRequestToPath(ECHO_PATH, { n: seq, ...base }, { timeout: options.timeoutMs })), close, pids: responders.pids };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Wait until the requester's view holds every responder registered for the path, so requests balance between
 * all of them from the warm-up on: a process learns other processes' sessions from the sessions topic.
 */
async function seesResponders(requester: Messaging, responders: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const count = () => requester.sessions().filter((s) => s.registeredPaths.includes(ECHO_PATH)).length;
  while (count() < responders) {
    if (Date.now() > deadline) throw new Error(`the requester saw ${count()} of ${responders} responder sessions after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
