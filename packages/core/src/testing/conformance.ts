import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCodecLookup } from '../codec/codec-lookup.js';
import { decodeEvent } from '../envelope/decode.js';
import { EventHeaders } from '../envelope/record.js';
import { ErrorCodes, FailedToSendEventError, PartialSendError, TributaryError } from '../errors.js';
import { Event } from '../event/event.js';
import type { EventOffset } from '../offset/event-offset.js';
import type { StoredRecord } from '../offset/stored-record.js';
import type { OutgoingRecord } from '../plugin/outgoing-record.js';
import type { ProducerPlugin } from '../plugin/producer-plugin.js';
import { checkLog, emptyLogReport, recordId } from './log-report.js';

/** What the suite gives the factory for each test. */
export interface ConformanceContext {
  /** A fresh topic, unique to the test. The factory creates it if its bus needs that. */
  topic: string;
  /** How many partitions the topic should have (several, to check per-key order). */
  partitions: number;
  /** Base settings the plugin must be given (spread them into its settings): the topic and `maxEventBytes`. */
  settings: { topic: string; maxEventBytes: number };
}

/** A fresh, unopened plugin and a way to read back what it wrote. */
export interface ConformanceHarness {
  plugin: ProducerPlugin<object>;
  /** Every record in `topic`, from the start of each partition to its end (any order across partitions). */
  readBack(topic: string): Promise<readonly StoredRecord[]>;
  /** Called after the test, once the plugin is closed. */
  cleanup?(): Promise<void>;
}

/** Makes one harness per test. */
export type ConformanceFactory = (context: ConformanceContext) => ConformanceHarness | Promise<ConformanceHarness>;

/** Tuning for slow buses. */
export interface ConformanceOptions {
  /** Events in the ordering tests. Default 200. */
  events?: number;
  /** Partitions of each test topic. Default 3. */
  partitions?: number;
  /** Whether offsets of a partition must be consecutive (false for buses with transaction markers). Default true. */
  contiguousOffsets?: boolean;
  /** Per-test timeout in milliseconds (vitest's default when left out). */
  timeoutMs?: number;
}

/** The limit the suite sets with `maxEventBytes`. */
export const CONFORMANCE_MAX_EVENT_BYTES = 4096;

type SendFn = (batch: readonly OutgoingRecord[], signal?: AbortSignal) => Promise<ReadonlyArray<EventOffset | undefined>>;

/** Replace the plugin's `_send` on this instance only (the base class's wrapper is what is under test). */
function patchSend(plugin: ProducerPlugin<object>, make: (original: SendFn) => SendFn): () => void {
  const target = plugin as unknown as { _send: SendFn };
  const original = target._send.bind(plugin);
  target._send = make(original);
  return () => delete (target as Partial<typeof target>)._send;
}

function makeEvents(count: number, tag: string): Event[] {
  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];
  return Array.from({ length: count }, (_, i) =>
    Event.create({
      category: `conformance.${tag}`,
      key: i % 11 === 10 ? undefined : keys[i % keys.length],
      payload: { n: i, tag },
      headers: { 'x-seq': String(i) },
    }),
  );
}

async function failure(promise: Promise<unknown>): Promise<FailedToSendEventError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'send() should have failed').toBeInstanceOf(FailedToSendEventError);
  expect((error as FailedToSendEventError).code).toBe(ErrorCodes.SEND_FAILED);
  return error as FailedToSendEventError;
}

async function stateFailure(promise: Promise<unknown>, plugin: ProducerPlugin<object>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a PLUGIN_STATE error').toBeInstanceOf(TributaryError);
  expect((error as TributaryError).code).toBe(ErrorCodes.PLUGIN_STATE);
  expect((error as TributaryError).context.plugin).toBe(plugin.name);
}

function idsIn(log: readonly StoredRecord[]): Set<string> {
  return new Set(log.map(recordId));
}

/** What each conformance case gets: fresh harnesses and the suite's tuning. */
interface Suite {
  /** A fresh harness (its plugin unopened) on a fresh topic, which becomes `topic`. */
  fresh(): Promise<ConformanceHarness>;
  /** A fresh harness whose plugin is open. */
  opened(): Promise<ConformanceHarness>;
  readonly topic: string;
  readonly count: number;
  readonly contiguous: boolean;
}

async function lifecycle(suite: Suite): Promise<void> {
  const { plugin } = await suite.fresh();
  const [event] = makeEvents(1, 'lifecycle');
  await stateFailure(plugin.send(event!), plugin);
  await Promise.all([plugin.open(), plugin.open()]);
  await plugin.open();
  expect(plugin.state).toBe('open');
  expect((await plugin.send(event!)).offset?.topic).toBe(suite.topic);
  await plugin.close();
  await plugin.close();
  expect(plugin.state).toBe('closed');
  await stateFailure(plugin.send(event!), plugin);
  await stateFailure(plugin.open(), plugin);
}

async function awaitUsing(suite: Suite): Promise<void> {
  const { plugin } = await suite.fresh();
  {
    await using scoped = plugin;
    await scoped.open();
    expect(scoped.state).toBe('open');
  }
  expect(plugin.state).toBe('closed');
}

async function everyEventOnce(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const events = makeEvents(suite.count, 'order');
  const sent: Event[] = [];
  for (let i = 0, size = 1; i < events.length; i += size, size = (size % 17) + 1) {
    const batch = events.slice(i, i + size);
    const result = await plugin.send(batch);
    expect(result.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    sent.push(...result);
  }
  expect(await plugin.send([])).toEqual([]);
  expect(sent.filter((e) => e.offset === undefined).map((e) => e.id)).toEqual([]);
  expect(checkLog(sent, await readBack(suite.topic), { contiguous: suite.contiguous })).toEqual(emptyLogReport());
}

async function recordForm(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const event = Event.create({ category: 'conformance.record', key: 'k-1', type: 'v1', payload: { a: [1, 'two'] }, headers: { 'x-trace': 'abc' } });
  const sent = await plugin.send(event);
  const stored = (await readBack(suite.topic)).find((s) => recordId(s) === event.id);
  expect(stored?.offset.equals(sent.offset)).toBe(true);
  expect(stored!.record.key?.toString('utf8')).toBe('k-1');
  expect(stored!.record.headers[EventHeaders.category]?.toString('utf8')).toBe('conformance.record');
  expect(stored!.record.headers['x-trace']?.toString('utf8')).toBe('abc');
  expect(stored!.record.timestamp).toBe(String(event.timestamp.toMillis()));
  const decoded = await decodeEvent(stored!.record, createCodecLookup(), suite.topic, stored!.offset);
  expect(decoded.toJSON()).toEqual(sent.toJSON());
}

async function concurrentSends(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const events = makeEvents(suite.count, 'concurrent');
  const batches = Array.from({ length: Math.ceil(events.length / 10) }, (_, i) => events.slice(i * 10, i * 10 + 10));
  const results = await Promise.all(batches.map((batch, i) => (i % 3 === 0 ? Promise.all(batch.map((e) => plugin.send(e))) : plugin.send(batch))));
  expect(checkLog(results.flat(), await readBack(suite.topic), { contiguous: suite.contiguous })).toEqual(emptyLogReport());
}

async function closeFlushes(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const batches = Array.from({ length: 10 }, (_, i) => makeEvents(10, `flush${i}`));
  let settled = 0;
  const sends = batches.map((batch) => plugin.send(batch).finally(() => void settled++));
  const closing = plugin.close();
  await stateFailure(plugin.send(makeEvents(1, 'late')[0]!), plugin);
  await closing;
  expect(settled).toBe(batches.length);
  const sent = (await Promise.all(sends)).flat();
  expect(checkLog(sent, await readBack(suite.topic), { contiguous: suite.contiguous })).toEqual(emptyLogReport());
}

async function oversized(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const [before, after, later] = makeEvents(3, 'large');
  const big = Event.create({ category: 'conformance.large', payload: 'x'.repeat(CONFORMANCE_MAX_EVENT_BYTES * 2) });
  const error = await failure(plugin.send([before!, big, after!]));
  expect(error.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
  const tooLarge = error.outcomes[1]! as { error: TributaryError };
  expect(tooLarge.error.code).toBe(ErrorCodes.EVENT_TOO_LARGE);
  expect(tooLarge.error.context.limit).toBe(CONFORMANCE_MAX_EVENT_BYTES);
  expect(tooLarge.error.context.size as number).toBeGreaterThan(CONFORMANCE_MAX_EVENT_BYTES);
  expect(error.cause).toBe(tooLarge.error);
  await plugin.send(later!);
  const logged = idsIn(await readBack(suite.topic));
  expect([before!.id, big.id, after!.id].filter((id) => logged.has(id))).toEqual([]);
  expect(logged.has(later!.id)).toBe(true);
}

async function unencodable(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const [good] = makeEvents(1, 'encode');
  const unencodable = Event.create({ category: 'conformance.encode', payload: { n: 10n } });
  const error = await failure(plugin.send([good!, unencodable, { id: 'not-an-event' } as unknown as Event]));
  expect(error.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
  expect((error.outcomes[1] as { error: TributaryError }).error.code).toBe(ErrorCodes.ENCODE_FAILED);
  expect((error.outcomes[2] as { error: TributaryError }).error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
  expect(error.cause).toBe((error.outcomes[1] as { error: unknown }).error);
  const logged = idsIn(await readBack(suite.topic));
  expect([good!.id, unencodable.id].filter((id) => logged.has(id))).toEqual([]);
}

async function sendThrows(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const boom = new Error('the bus exploded');
  const restore = patchSend(plugin, () => async () => Promise.reject(boom));
  const events = makeEvents(3, 'unknown');
  const error = await failure(plugin.send(events));
  restore();
  expect(error.cause).toBe(boom);
  expect(error.outcomes.map((o) => [o.status, o.event.id])).toEqual(events.map((e) => ['unknown', e.id]));
  const [retry] = makeEvents(1, 'unknown');
  expect((await plugin.send(retry!)).offset).toBeDefined();
  expect(idsIn(await readBack(suite.topic)).has(retry!.id)).toBe(true);
}

async function partialSend(suite: Suite): Promise<void> {
  const { plugin, readBack } = await suite.opened();
  const refused = new Error('refused by the bus');
  const restore = patchSend(plugin, (original) => async (batch, signal) => {
    const [offset] = await original(batch.slice(0, 1), signal);
    throw new PartialSendError('one written, one refused, one lost', [{ status: 'ok', offset }, { status: 'failed', error: refused }, { status: 'unknown' }], { cause: refused });
  });
  const events = makeEvents(3, 'partial');
  const error = await failure(plugin.send(events));
  restore();
  expect(error.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'unknown']);
  expect(error.cause).toBe(refused);
  const log = await readBack(suite.topic);
  const first = log.find((s) => recordId(s) === events[0]!.id);
  expect(first?.offset.equals(error.outcomes[0]!.event.offset)).toBe(true);
  expect(log.some((s) => recordId(s) === events[1]!.id)).toBe(false);
}

/** The cases, in the order they run. */
const CASES: ReadonlyArray<readonly [string, (suite: Suite) => Promise<void>]> = [
  ['refuses send() before open() and after close(), naming the plugin; open() and close() twice are harmless', lifecycle],
  ['is closed by `await using`', awaitUsing],
  ['writes every event exactly once, at the offsets it returns, in order per key, without gaps', everyEventOnce],
  ['writes records that carry the event and decode back to it, offset included', recordForm],
  ['keeps every event and per-key order across concurrent send() calls', concurrentSends],
  ['close() waits for pending sends (flush) and refuses new ones meanwhile', closeFlushes],
  ['fails an oversized event with EVENT_TOO_LARGE (size and limit) and sends nothing of its batch', oversized],
  ['fails events that cannot be encoded or are not events, keeping the cause, and sends none of their batch', unencodable],
  ['reports every event `unknown` when _send throws, keeping the cause, and works again afterwards', sendThrows],
  ['maps a PartialSendError to per-event outcomes', partialSend],
];

/**
 * The suite every producer plugin must pass. Call it at the top level of a test file:
 *
 * ```ts
 * describeProducerPluginConformance('memory', ({ settings, partitions }) => {
 *   const bus = new MemoryBus({ defaultPartitions: partitions });
 *   return { plugin: new MemoryProducerPlugin(settings, { bus }), readBack: async (topic) => bus.readAll(topic) };
 * });
 * ```
 *
 * It checks invariants over the whole log (no gaps, no duplicates, missing and extra ids listed, per-key
 * order, returned offsets equal to logged ones, records that decode back to the events) and the send
 * wrapper's contract (state errors, outcomes, cause kept, oversized events, flush on close).
 */
export function describeProducerPluginConformance(name: string, factory: ConformanceFactory, options: ConformanceOptions = {}): void {
  describe(`producer plugin conformance: ${name}`, () => {
    const harnesses: ConformanceHarness[] = [];
    const suite: Suite & { topic: string } = {
      topic: '',
      count: options.events ?? 200,
      contiguous: options.contiguousOffsets ?? true,
      async fresh() {
        suite.topic = `conformance-${name.replace(/[^A-Za-z0-9._-]/g, '-')}-${randomUUID().slice(0, 8)}`;
        const context = { topic: suite.topic, partitions: options.partitions ?? 3, settings: { topic: suite.topic, maxEventBytes: CONFORMANCE_MAX_EVENT_BYTES } };
        const harness = await factory(context);
        harnesses.push(harness);
        return harness;
      },
      async opened() {
        const harness = await suite.fresh();
        await harness.plugin.open();
        return harness;
      },
    };

    afterEach(async () => {
      for (const harness of harnesses.splice(0)) {
        await harness.plugin.close().catch(() => undefined);
        await harness.cleanup?.();
      }
    });

    for (const [title, run] of CASES) it(title, () => run(suite), options.timeoutMs);
  });
}
