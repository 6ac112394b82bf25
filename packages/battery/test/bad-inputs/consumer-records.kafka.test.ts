// Bad records in a consumer group's partition, each followed by valid ones on the same partition: every bad one
// ends as a dead letter with its error code (or, where it is no error, is handled or skipped as documented), and
// every valid record behind it is handled exactly once, in order, and committed; no partition stalls.
//
// Already covered elsewhere, and not repeated here:
// - packages/consumer/test/group/consumer-group.kafka.test.ts "sends each kind of poison record to the
//   dead-letter topic at once": the dead-letter headers of each poison kind one by one (topic, partition,
//   offset, group, timestamp, attempts 0, the raw value kept), with one valid record after them;
// - the same file's "retries a failing handler, then dead-letters it": a handler that always fails;
// - packages/core/test/codec/avro-codec.test.ts: Avro resolution rules record by record, in memory.
// What this adds: the bad records interleaved with many valid ones on one partition and a second busy partition,
// a writer schema of another version (compatible and not), bad header values, tombstones and null keys, an
// unknown category, and a handler that fails intermittently, all checked with missing/duplicate/extra ids.
import { describe, expect, inject, it } from 'vitest';
import { AvroCodec, createCodecLookup, Event, InMemorySchemaRegistry, type TributaryError } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { randomGroup } from '@tributary/test-kit';
import { ConsumerGroup, DeadLetterHeaders } from '@tributary/consumer';
import { committedOffsets, deadLetters, eventInput, expectExactly, expectOffsetOrder, freshTopic, until, writeRaw, type RawInput } from './support/records.js';

const brokers = inject('kafkaBrokers');

/** A bad record, what it should become, and why. */
interface BadInput {
  name: string;
  input: RawInput;
  /** The dead letter's error code. */
  code: string;
  /** Words the dead letter's error message must contain: what was wrong. */
  says: RegExp;
  attempts?: number;
}

describe('bad records in a consumer group: each dead-lettered or skipped, nothing lost behind it', () => {
  it('dead-letters malformed payloads, unknown schemas, wrong schema versions and bad headers, and handles every valid record after each', async () => {
    const topic = await freshTopic(brokers, 'bad-records', 2);
    const subject = `${topic}-value`;
    const registry = new InMemorySchemaRegistry();
    const reader = new AvroCodec({ registry, schemas: { [subject]: { type: 'record', name: 'Order', fields: [{ name: 'n', type: 'int' }] } } });
    // Version 2, compatible: a new field the reader ignores (Avro resolution: "the writer's value for that field is ignored").
    const compatible = new AvroCodec({ registry, schemas: { [subject]: { type: 'record', name: 'Order', fields: [{ name: 'n', type: 'int' }, { name: 'note', type: 'string' }] } } });
    // Version 3, incompatible: the reader's field n has no default and the writer has no n.
    const incompatible = new AvroCodec({ registry, schemas: { [subject]: { type: 'record', name: 'Order', fields: [{ name: 'total', type: 'string' }] } } });

    const valid: Event[] = [];
    let n = 0;
    // Valid records alternate between JSON and Avro, so both decoders go on after a bad record.
    const good = async (partition: number): Promise<RawInput> => {
      const event = Event.create({ category: 'order.placed', key: `k${n % 5}`, payload: { n: n++ } });
      valid.push(event);
      return eventInput(event, topic, partition, n % 2 === 0 ? reader : undefined);
    };
    const json = await eventInput(Event.create({ category: 'order.placed', key: 'template', payload: { n: -1 } }), topic, 0);
    const avro = await eventInput(Event.create({ category: 'order.placed', key: 'template', payload: { n: -1 } }), topic, 0, reader);
    const withHeaders = (headers: RawInput['headers']): RawInput => ({ ...json, headers: { ...json.headers, ...headers } });
    const unknownId = Buffer.from(avro.value as Buffer);
    unknownId.writeUInt32BE(424242, 1);
    const { 'tributary-category': _category, ...noCategory } = json.headers!;

    const bad: BadInput[] = [
      { name: 'non-JSON payload', input: { ...json, value: '{"n": 1,' }, code: 'DECODE_FAILED', says: /JSON/i },
      { name: 'malformed Avro', input: { ...avro, value: Buffer.concat([(avro.value as Buffer).subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]) }, code: 'DECODE_FAILED', says: /avro|decode|truncated|invalid/i },
      { name: 'Avro frame too short', input: { ...avro, value: Buffer.from([0, 0, 1]) }, code: 'DECODE_FAILED', says: /only 3 byte/ },
      { name: 'unknown schema id', input: { ...avro, value: unknownId }, code: 'SCHEMA_NOT_FOUND', says: /424242/ },
      { name: 'wrong schema version', input: await eventInput(Event.create({ category: 'order.placed', payload: { total: 'x' } }), topic, 0, incompatible), code: 'SCHEMA_INCOMPATIBLE', says: /\bn\b/ },
      { name: 'unknown codec', input: withHeaders({ 'tributary-codec': 'protobuf' }), code: 'DECODE_FAILED', says: /protobuf/ },
      { name: 'no category header', input: { ...json, headers: noCategory }, code: 'DECODE_FAILED', says: /tributary-category/ },
      // A category a handler pattern matches but the category rule refuses (a malformed one no handler matches is
      // skipped without decoding, as any unwanted category is).
      { name: 'malformed category header', input: withHeaders({ 'tributary-category': 'order.placed!' }), code: 'DECODE_FAILED', says: /order\.placed!/ },
      { name: 'malformed timestamp header', input: withHeaders({ 'tributary-timestamp': 'yesterday' }), code: 'DECODE_FAILED', says: /timestamp|time/i },
      { name: 'tombstone of an event', input: { ...json, value: null }, code: 'DECODE_FAILED', says: /JSON|empty|payload/i },
      { name: 'bare tombstone, no key, no headers', input: { partition: 0, key: null, value: null }, code: 'DECODE_FAILED', says: /tributary-category/ },
    ];

    const inputs: RawInput[] = [await good(0), await good(1)];
    const badIndex: number[] = [];
    for (const b of bad) {
      badIndex.push(inputs.length);
      inputs.push({ ...b.input, partition: 0 }, await good(0), await good(1), await good(0));
    }
    // Valid, though unusual: a null key, user headers with a null value and a repeated name, a compatible newer
    // writer schema, and a category no handler wants (skipped, committed, never decoded: its payload is garbage).
    const nullKey = Event.create({ category: 'order.placed', payload: { n: n++ } });
    valid.push(nullKey);
    inputs.push({ ...(await eventInput(nullKey, topic, 0)), key: null }, await good(1));
    const oddHeaders = Event.create({ category: 'order.placed', key: 'odd', payload: { n: n++ } });
    valid.push(oddHeaders);
    const odd = await eventInput(oddHeaders, topic, 0);
    inputs.push({ ...odd, headers: { ...odd.headers, empty: '', nothing: null, twice: ['a', 'b'] } }, await good(0));
    const newer = Event.create({ category: 'order.placed', key: 'v2', payload: { n: n++, note: 'ignored by the reader' } });
    valid.push(newer);
    inputs.push(await eventInput(newer, topic, 0, compatible), await good(0));
    inputs.push({ ...withHeaders({ 'tributary-category': 'audit.login' }), value: 'not even JSON' }, await good(0), await good(1));
    const offsets = await writeRaw(brokers, topic, inputs);

    const handled: Event[] = [];
    const reported: TributaryError[] = [];
    const g = new ConsumerGroup({
      brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: silentLogger,
      codecs: createCodecLookup([reader]), retry: { attempts: 3, initialDelayMs: 10 }, onError: (e) => void reported.push(e),
      handlers: { 'order.*': (e) => void handled.push(e) },
    });
    await g.start();
    try {
      await until('every partition committed to its end', async () => {
        const committed = await committedOffsets(brokers, g.groupId, topic);
        return [0, 1].every((p) => committed.get(p) === BigInt(inputs.filter((i) => i.partition === p).length));
      }, 60_000);
      expect(g.stalled()).toEqual([]);
    } finally {
      await g.stop();
    }
    expect(reported).toEqual([]);
    expectExactly(handled.map((e) => e.id), valid.map((e) => e.id));
    expectOffsetOrder(handled);
    // A record without a key: the event's key is its category, as for an event created without one.
    expect(handled.find((e) => e.id === nullKey.id)!.key).toBe('order.placed');
    expect(handled.find((e) => e.id === oddHeaders.id)!.headers).toMatchObject({ empty: '' });
    expect(handled.find((e) => e.id === newer.id)!.payload).toEqual({ n: newer.payload.n });

    const letters = await deadLetters(brokers, topic);
    const badAt = badIndex.map((i) => `0@${offsets[i]}`);
    expect([...letters.keys()].sort()).toEqual([...badAt].sort());
    const got = bad.map((b, i) => {
      const letter = letters.get(badAt[i]!)!;
      const header = (name: string) => letter.headers[name]?.toString() ?? '';
      return { name: b.name, code: header(DeadLetterHeaders.errorCode), attempts: header(DeadLetterHeaders.attempts), says: b.says.test(header(DeadLetterHeaders.errorMessage)) || header(DeadLetterHeaders.errorMessage), tombstone: letter.value === null };
    });
    expect(got).toEqual(bad.map((b) => ({ name: b.name, code: b.code, attempts: String(b.attempts ?? 0), says: true, tombstone: b.input.value === null })));
    expect(g.counters).toMatchObject({ handled: valid.length, deadLettered: bad.length, filtered: 1, retried: 0 });
  });

  it('retries a handler that fails intermittently until it succeeds, dead-letters one that keeps failing, and handles everything behind both', async () => {
    const topic = await freshTopic(brokers, 'flaky', 2);
    const sent = Array.from({ length: 60 }, (_, i) => Event.create({ category: 'job.run', key: `k${i % 6}`, payload: { i } }));
    const inputs = await Promise.all(sent.map((e, i) => eventInput(e, topic, i % 2)));
    await writeRaw(brokers, topic, inputs);
    // Every fifth event fails on its first two attempts; the twenty-first never succeeds.
    const flaky = new Set(sent.filter((_, i) => i % 5 === 0).map((e) => e.id));
    const doomed = sent[21]!;
    const attempts = new Map<string, number>();
    const handled: Event[] = [];
    const miscounted: string[] = [];
    const g = new ConsumerGroup({
      brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: silentLogger, retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      handlers: {
        '#': async (e, context) => {
          attempts.set(e.id, (attempts.get(e.id) ?? 0) + 1);
          if (context.attempt !== attempts.get(e.id)) miscounted.push(`${e.id}: attempt ${context.attempt}, call ${attempts.get(e.id)}`);
          if (e.id === doomed.id) throw new Error(`job ${String((e.payload as { i: number }).i)} refused`);
          if (flaky.has(e.id) && context.attempt < 3) throw new Error('not yet');
          handled.push(e);
        },
      },
    });
    await g.start();
    try {
      await until('every partition committed to its end', async () => [...(await committedOffsets(brokers, g.groupId, topic)).values()].every((o) => o === 30n), 60_000);
      expect(g.stalled()).toEqual([]);
    } finally {
      await g.stop();
    }
    expectExactly(handled.map((e) => e.id), sent.filter((e) => e !== doomed).map((e) => e.id));
    expectOffsetOrder(handled);
    expect(miscounted).toEqual([]);
    for (const e of sent) expect(attempts.get(e.id), e.id).toBe(flaky.has(e.id) || e === doomed ? 3 : 1);
    const letters = await deadLetters(brokers, topic);
    expect([...letters.values()].map((r) => r.headers['tributary-id']?.toString())).toEqual([doomed.id]);
    const letter = [...letters.values()][0]!;
    expect(letter.headers[DeadLetterHeaders.errorCode]?.toString()).toBe('HANDLER_FAILED');
    expect(letter.headers[DeadLetterHeaders.errorMessage]?.toString()).toBe('job 21 refused');
    expect(letter.headers[DeadLetterHeaders.attempts]?.toString()).toBe('3');
    expect(g.counters).toMatchObject({ handled: 59, deadLettered: 1, retried: flaky.size * 2 + 2 });
  });
});
