import { describe, expect, it } from 'vitest';
import { AvroCodec, createCodecLookup, encodeEvent, ErrorCodes, Event, InMemorySchemaRegistry, jsonCodec, TributaryError, type Codec, type EventRecord } from '@tributary/core';
import { DeadLetterHeaders } from '../../src/failure/dead-letter-headers.js';
import { MemoryDeadLetterPublisher } from '../../src/failure/memory-dead-letter-publisher.js';
import { retryPolicy } from '../../src/failure/retry-policy.js';
import { RecordProcessor, type ProcessingObserver, type RawRecord } from '../../src/processing/record-processor.js';
import { Router, type EventHandler } from '../../src/routing/router.js';

const TOPIC = 'orders';

async function recordOf(event: Event, codec: Codec = jsonCodec): Promise<EventRecord> {
  const r = await encodeEvent(event, codec, TOPIC);
  return { key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp };
}

function setup(handlers: Record<string, EventHandler>, options: { attempts?: number; codecs?: Codec[] } = {}) {
  const publisher = new MemoryDeadLetterPublisher();
  const counts = { handled: 0, filtered: 0, retried: 0, deadLettered: 0 };
  const observer: ProcessingObserver = {
    handled: () => void counts.handled++,
    filtered: () => void counts.filtered++,
    retried: () => void counts.retried++,
    deadLettered: () => void counts.deadLettered++,
  };
  const processor = new RecordProcessor({
    router: new Router(handlers),
    codecs: createCodecLookup(options.codecs ?? []),
    retry: retryPolicy({ attempts: options.attempts ?? 3, initialDelayMs: 1, maxDelayMs: 5 }),
    group: 'g1',
    deadLetterTopic: (t) => `${t}.DLT`,
    publisher,
    observer,
  });
  return { processor, publisher, counts };
}

const signal = new AbortController().signal;
const at = (record: EventRecord, offset = 7n) => ({ topic: TOPIC, partition: 2, offset, record });
const header = (r: { headers: Record<string, unknown> }, name: string) => r.headers[name]?.toString();

describe('RecordProcessor', () => {
  it('routes to the first matching handler, with the event decoded and its offset', async () => {
    const seen: Event[] = [];
    const { processor, counts } = setup({ 'order.*': (e) => void seen.push(e), '#': () => { throw new Error('not me'); } });
    const event = Event.create({ category: 'order.placed', key: 'k', payload: { n: 1 } });
    expect(await processor.process(at(await recordOf(event)), signal)).toBe('handled');
    expect(seen.map((e) => [e.id, e.offset?.toString(), e.payload])).toEqual([[event.id, 'orders:2@7', { n: 1 }]]);
    expect(counts.handled).toBe(1);
  });

  it('dead-letters a foreign tombstone as a tombstone, with every header it had (repeated names, null values)', async () => {
    const { processor, publisher } = setup({ '#': () => {} });
    const headerList = [['a', Buffer.from('1')], ['n', null], ['a', Buffer.from('2')]] as const;
    const record: RawRecord = { key: Buffer.from('k'), value: Buffer.alloc(0), headers: { a: Buffer.from('2') }, timestamp: '5', tombstone: true, headerList };
    expect(await processor.process(at(record), signal)).toBe('dead-lettered');
    const [letter] = publisher.letters;
    expect(letter!.value).toBeNull();
    expect(letter!.headers.a).toEqual([Buffer.from('1'), Buffer.from('2')]);
    expect(letter!.headers.n).toBeNull();
    expect(header(letter!, DeadLetterHeaders.errorCode)).toBe('DECODE_FAILED');
  });

  it('filters out categories no handler wants without decoding the payload', async () => {
    const { processor, counts, publisher } = setup({ 'order.*': () => {} });
    const record = await recordOf(Event.create({ category: 'audit.login', payload: {} }));
    // Not decodable, yet filtered: the payload is never looked at.
    expect(await processor.process(at({ ...record, value: Buffer.from('not json{') }), signal)).toBe('filtered');
    expect(counts).toMatchObject({ filtered: 1, deadLettered: 0 });
    expect(publisher.attempts).toBe(0);
  });

  it('retries a failing handler with back-off, then dead-letters the raw record with its origin', async () => {
    let calls = 0;
    const { processor, publisher, counts } = setup({ '#': (_e, ctx) => { calls++; expect(ctx.attempt).toBe(calls); throw new Error('db down'); } });
    const record = await recordOf(Event.create({ category: 'order.placed', key: 'k1', payload: { n: 1 }, headers: { trace: 't1' } }));
    expect(await processor.process(at(record), signal)).toBe('dead-lettered');
    expect(calls).toBe(3);
    expect(counts).toMatchObject({ retried: 2, deadLettered: 1, handled: 0 });
    const [letter] = publisher.letters;
    expect(letter!.topic).toBe('orders.DLT');
    expect(letter!.value).toEqual(record.value);
    expect(letter!.key).toEqual(record.key);
    expect(header(letter!, 'trace')).toBe('t1');
    expect(header(letter!, DeadLetterHeaders.topic)).toBe('orders');
    expect(header(letter!, DeadLetterHeaders.partition)).toBe('2');
    expect(header(letter!, DeadLetterHeaders.offset)).toBe('7');
    expect(header(letter!, DeadLetterHeaders.timestamp)).toBe(record.timestamp);
    expect(header(letter!, DeadLetterHeaders.errorCode)).toBe(ErrorCodes.HANDLER_FAILED);
    expect(header(letter!, DeadLetterHeaders.errorMessage)).toBe('db down');
    expect(header(letter!, DeadLetterHeaders.group)).toBe('g1');
    expect(header(letter!, DeadLetterHeaders.attempts)).toBe('3');
  });

  it('keeps the code of a Tributary error thrown by a handler', async () => {
    const { processor, publisher } = setup({ '#': () => { throw new TributaryError(ErrorCodes.TIMEOUT, 'slow'); } }, { attempts: 1 });
    await processor.process(at(await recordOf(Event.create({ category: 'a.b', payload: {} }))), signal);
    expect(header(publisher.letters[0]!, DeadLetterHeaders.errorCode)).toBe('TIMEOUT');
    expect(header(publisher.letters[0]!, DeadLetterHeaders.attempts)).toBe('1');
  });

  it('dead-letters every kind of undecodable record at once, never calling a handler', async () => {
    const registry = new InMemorySchemaRegistry();
    const avro = new AvroCodec({ registry, schemas: { [`${TOPIC}-value`]: { type: 'record', name: 'O', fields: [{ name: 'n', type: 'int' }] } } });
    let calls = 0;
    const { processor, publisher } = setup({ '#': () => void calls++ }, { codecs: [avro] });
    const good = await recordOf(Event.create({ category: 'order.placed', payload: { n: 1 } }));
    const goodAvro = await recordOf(Event.create({ category: 'order.placed', payload: { n: 1 } }), avro);
    const unknownId = Buffer.from(goodAvro.value);
    unknownId.writeUInt32BE(999_999, 1);
    const { 'tributary-category': _category, ...noCategory } = good.headers;
    const poison: Array<[string, EventRecord]> = [
      ['not json', { ...good, value: Buffer.from('{oops') }],
      ['malformed avro', { ...goodAvro, value: Buffer.concat([goodAvro.value.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) }],
      ['unknown schema id', { ...goodAvro, value: unknownId }],
      ['unknown codec', { ...good, headers: { ...good.headers, 'tributary-codec': Buffer.from('protobuf') } }],
      ['no category header', { ...good, headers: noCategory }],
    ];
    for (const [i, [, record]] of poison.entries()) expect(await processor.process(at(record, BigInt(i)), signal)).toBe('dead-lettered');
    expect(calls).toBe(0);
    expect(publisher.letters.map((l) => [header(l, DeadLetterHeaders.errorCode), header(l, DeadLetterHeaders.attempts)])).toEqual([
      ['DECODE_FAILED', '0'],
      ['DECODE_FAILED', '0'],
      ['SCHEMA_NOT_FOUND', '0'],
      ['DECODE_FAILED', '0'],
      ['DECODE_FAILED', '0'],
    ]);
  });

  it('blocks when the dead-letter write fails, then writes the kept letter without handling the record again', async () => {
    let calls = 0;
    const { processor, publisher, counts } = setup({ '#': () => { calls++; throw new Error('no'); } }, { attempts: 2 });
    const record = await recordOf(Event.create({ category: 'order.placed', payload: {} }));
    publisher.failing = true;
    expect(await processor.process(at(record), signal)).toBe('blocked');
    expect(await processor.process(at(record), signal)).toBe('blocked');
    expect(calls).toBe(2);
    expect(processor.pendingLetters).toBe(1);
    publisher.failing = false;
    expect(await processor.process(at(record), signal)).toBe('dead-lettered');
    expect(calls).toBe(2);
    expect(publisher.letters).toHaveLength(1);
    expect(header(publisher.letters[0]!, DeadLetterHeaders.attempts)).toBe('2');
    expect(processor.pendingLetters).toBe(0);
    expect(counts.deadLettered).toBe(1);
  });

  it('forgets kept letters of a partition it no longer reads', async () => {
    const { processor, publisher } = setup({ '#': () => { throw new Error('no'); } }, { attempts: 1 });
    publisher.failing = true;
    await processor.process(at(await recordOf(Event.create({ category: 'a.b', payload: {} }))), signal);
    processor.forget(TOPIC, 2);
    expect(processor.pendingLetters).toBe(0);
  });

  it('leaves the record unsettled when stopping cuts a retry back-off or a handler short', async () => {
    const stop = new AbortController();
    const { processor, publisher } = setup({ '#': async (_e, ctx) => { await new Promise((r) => setTimeout(r, 5)); if (ctx.attempt === 1) stop.abort(); throw new Error('x'); } }, { attempts: 5 });
    expect(await processor.process(at(await recordOf(Event.create({ category: 'a.b', payload: {} }))), stop.signal)).toBe('aborted');
    expect(publisher.attempts).toBe(0);
  });

  it('waits (blocked) rather than dead-letters when decoding fails for a reason that may pass', async () => {
    const flaky: Codec = { name: 'flaky', encode: () => Buffer.from('x'), decode: () => { throw new TributaryError(ErrorCodes.CONNECTION, 'registry unreachable', { retriable: true }); } };
    const { processor, publisher } = setup({ '#': () => {} }, { codecs: [flaky] });
    const record = await recordOf(Event.create({ category: 'a.b', payload: {} }));
    expect(await processor.process(at({ ...record, headers: { ...record.headers, 'tributary-codec': Buffer.from('flaky') } }), signal)).toBe('blocked');
    expect(publisher.attempts).toBe(0);
  });

  it('settles without a Promise when nothing on the way needs one, and with one when the handler returns one', async () => {
    const { processor, counts } = setup({ 'order.*': () => undefined, 'slow.*': async () => undefined });
    expect(processor.process(at(await recordOf(Event.create({ category: 'user.x', payload: 1 }))), signal)).toBe('filtered');
    expect(processor.process(at(await recordOf(Event.create({ category: 'order.x', payload: 1 }))), signal)).toBe('handled');
    const slow = processor.process(at(await recordOf(Event.create({ category: 'slow.x', payload: 1 }))), signal);
    expect(slow).toBeInstanceOf(Promise);
    expect(await slow).toBe('handled');
    expect(counts).toEqual({ handled: 2, filtered: 1, retried: 0, deadLettered: 0 });
  });

  it('retries a synchronous handler that throws like an asynchronous one', async () => {
    const attempts: number[] = [];
    const { processor, counts } = setup({ '#': (_e, ctx) => { attempts.push(ctx.attempt); if (ctx.attempt < 3) throw new Error('not yet'); } });
    expect(await processor.process(at(await recordOf(Event.create({ category: 'a.b', payload: 1 }))), signal)).toBe('handled');
    expect(attempts).toEqual([1, 2, 3]);
    expect(counts).toMatchObject({ handled: 1, retried: 2, deadLettered: 0 });
  });
});

