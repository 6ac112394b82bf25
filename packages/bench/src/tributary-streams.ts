import { randomBytes } from 'node:crypto';
import { createStreams, ensureStreamTopics, streamTopics, type StreamDelivery, type StreamListener, type Streams } from '@tributary/streams';
import { within } from './deadline.js';

/** Appends handed to the hub before their acknowledgements are awaited, while filling streams. */
const FILL_IN_FLIGHT = 5000;

/** The streams topics of one benchmark case. */
export interface StreamsBed {
  brokers: string[];
  prefix: string;
  /** The log topic every stream of the case lives on: what the raw kafkajs anchors read. */
  logTopic: string;
}

/**
 * Streams topics with a prefix of their own, so that a raw kafkajs consumer of the log topic reads exactly the
 * records of this case and nothing else.
 */
export async function createStreamsBed(brokers: string[], partitions: number): Promise<StreamsBed> {
  const prefix = `bench-streams-${randomBytes(4).toString('hex')}`;
  await ensureStreamTopics({ brokers }, { prefix, partitions });
  return { brokers, prefix, logTopic: streamTopics(prefix).log };
}

/** A hub that has connected and read the index, so a measurement after it counts no start-up. */
export async function openHub(bed: StreamsBed): Promise<Streams> {
  const hub = createStreams({ connection: { brokers: bed.brokers }, prefix: bed.prefix });
  await hub.streams();
  return hub;
}

/** A message `{ seq, note }` whose JSON is about `size` bytes. */
export function streamMessage(seq: number, size: number): { seq: number; note: string } {
  return { seq, note: 'n'.repeat(Math.max(0, size - 30)) };
}

/**
 * Give each stream a header, then `puts` messages of about `size` bytes, stream after stream in turn, through
 * the hub's own `setHeader` and `put`; resolves once every record is acknowledged. The log then holds
 * `streams.length * (1 + puts)` records.
 */
export async function fillStreams(hub: Streams, streams: readonly string[], puts: number, size: number): Promise<void> {
  await Promise.all(streams.map((s) => hub.setHeader(s, { status: 'running', note: 'h'.repeat(Math.max(0, size - 30)) })));
  let pending: Array<Promise<void>> = [];
  for (let seq = 0; seq < puts; seq++) {
    for (const s of streams) {
      pending.push(hub.put(s, streamMessage(seq, size)));
      if (pending.length >= FILL_IN_FLIGHT) {
        await Promise.all(pending);
        pending = [];
      }
    }
  }
  await Promise.all(pending);
}

/**
 * Listen to `stream` from its header and hang up after the first delivery: milliseconds from `since` (by default
 * the `listen` call) to the delivery reaching the listener's `put`, and the delivery.
 */
export async function firstDelivery(hub: Streams, stream: string, timeoutMs: number, since?: number): Promise<{ ms: number; delivery: StreamDelivery }> {
  let received!: (d: { at: number; delivery: StreamDelivery }) => void;
  const arrived = new Promise<{ at: number; delivery: StreamDelivery }>((resolve) => (received = resolve));
  const started = since ?? performance.now();
  const sub = await hub.listen(stream, { put: (delivery) => received({ at: performance.now(), delivery }) });
  try {
    const { at, delivery } = await within(arrived, timeoutMs, `no delivery from stream ${stream}`);
    return { ms: at - started, delivery };
  } finally {
    await sub.hangup();
  }
}

/**
 * A hub made for one listen, as a new process would: milliseconds from `createStreams` (connecting, reading the
 * index) and `listen` to the header reaching the listener, and the delivery; the hub is closed after.
 */
export async function firstDeliveryOfNewHub(bed: StreamsBed, stream: string, timeoutMs: number): Promise<{ ms: number; delivery: StreamDelivery }> {
  const started = performance.now();
  const hub = createStreams({ connection: { brokers: bed.brokers }, prefix: bed.prefix });
  try {
    return await firstDelivery(hub, stream, timeoutMs, started);
  } finally {
    await hub.closeHub();
  }
}

/**
 * Listen to every stream from its header until `expected` deliveries (headers and puts, across the streams)
 * have reached the listeners; every listener counts, nothing else. Resolves with how long the `listen` calls
 * themselves took, in milliseconds; the listeners are hung up after.
 */
export async function listenUntil(hub: Streams, streams: readonly string[], expected: number, timeoutMs: number): Promise<{ listenMs: number }> {
  const { listener, received } = countingListener(expected, timeoutMs);
  const started = performance.now();
  for (const s of streams) await hub.listen(s, listener);
  const listenMs = performance.now() - started;
  try {
    await received;
    return { listenMs };
  } finally {
    await hub.hangup(null, listener);
  }
}

/**
 * A listener that only counts deliveries, whatever the stream: `received` resolves at the `expected`-th, or
 * rejects with the count so far once `timeoutMs` have passed. One object may listen to many streams.
 */
export function countingListener(expected: number, timeoutMs: number): { listener: StreamListener; received: Promise<void> } {
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const listener = {
    put: () => {
      if (++seen === expected) done();
    },
  };
  const received = within(all, timeoutMs, () => `the listeners received ${seen} of ${expected} deliveries`);
  // Handled here too: a caller whose listen failed never awaits it, and its later timeout must not crash the run.
  received.catch(() => {});
  return { listener, received };
}
