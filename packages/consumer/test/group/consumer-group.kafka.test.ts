import { describe, expect, inject, it } from 'vitest';
import { Registry } from 'prom-client';
import { AvroCodec, createCodecLookup, Event, InMemorySchemaRegistry, type TributaryError } from '@tributary/core';
import { readToEnd } from '@tributary/kafka';
import { createTopics, randomGroup } from '@tributary/test-kit';
import { DeadLetterHeaders } from '../../src/failure/dead-letter-headers.js';
import { ConsumerGroup } from '../../src/group/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/group/options.js';
import { ConsumerMetricNames } from '../../src/metrics/consumer-metrics.js';
import { committedOffsets, compareIds, events, freshTopic, publish, rawRecordOf, sendRaw, sleep, until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');

function group(options: Partial<ConsumerGroupOptions> & Pick<ConsumerGroupOptions, 'topics' | 'handlers'>): ConsumerGroup {
  return new ConsumerGroup({ brokers, groupId: randomGroup(), fetchMaxWaitMs: 200, commitIntervalMs: 200, retry: { attempts: 3, initialDelayMs: 10 }, ...options });
}

const lagIsZero = (g: ConsumerGroup) => async () => (await g.lag()).every((p) => p.lag === 0n);

describe('ConsumerGroup against Kafka', () => {
  it('routes by category, skips and commits the rest: lag returns to 0 and metrics count it', async () => {
    const topic = await freshTopic(brokers, 'route', 3);
    const sent = await publish(brokers, topic, events(90, ['order.placed', 'order.shipped', 'audit.login']));
    const placed: Event[] = [];
    const shipped: Event[] = [];
    const registry = new Registry();
    const g = group({ topics: [topic], handlers: { 'order.placed': (e) => void placed.push(e), 'order.*': (e) => void shipped.push(e) }, metrics: { registry }, partitionsConcurrently: 3 });
    await g.start();
    try {
      await until('lag back to 0', lagIsZero(g));
      const scrape = await registry.metrics();
      expect(scrape).toMatch(new RegExp(`${ConsumerMetricNames.filtered}\\{group="${g.groupId}",topic="${topic}"\\} 30`));
      expect(scrape).toMatch(new RegExp(`${ConsumerMetricNames.handled}\\{group="${g.groupId}",topic="${topic}"\\} 60`));
      expect(scrape).toMatch(new RegExp(`${ConsumerMetricNames.lag}\\{group="${g.groupId}",topic="${topic}",partition="0"\\} 0`));
    } finally {
      await g.stop();
    }
    expect(compareIds(placed.map((e) => e.id), sent.filter((e) => e.category === 'order.placed').map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
    expect(compareIds(shipped.map((e) => e.id), sent.filter((e) => e.category === 'order.shipped').map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
    expect(g.counters).toMatchObject({ handled: 60, filtered: 30, retried: 0, deadLettered: 0 });
    // Per partition, events came in offset order.
    for (const list of [placed, shipped]) {
      const last = new Map<number, bigint>();
      for (const e of list) {
        expect(e.offset!.offset).toBeGreaterThan(last.get(e.offset!.partition) ?? -1n);
        last.set(e.offset!.partition, e.offset!.offset);
      }
    }
    const committed = await committedOffsets(brokers, g.groupId, topic);
    const highs = new Map<number, bigint>();
    for (const e of sent) highs.set(e.offset!.partition, (highs.get(e.offset!.partition) ?? 0n) < e.offset!.offset + 1n ? e.offset!.offset + 1n : highs.get(e.offset!.partition)!);
    for (const [partition, high] of highs) expect(committed.get(partition)).toBe(high);
  });

  it('sends each kind of poison record to the dead-letter topic at once, with its headers, and moves on', async () => {
    const topic = await freshTopic(brokers, 'poison', 1);
    const registry = new InMemorySchemaRegistry();
    const avro = new AvroCodec({ registry, schemas: { [`${topic}-value`]: { type: 'record', name: 'Order', fields: [{ name: 'n', type: 'int' }] } } });
    const good = await rawRecordOf(Event.create({ category: 'order.placed', key: 'good', payload: { n: 1 } }), topic, avro);
    const json = await rawRecordOf(Event.create({ category: 'order.placed', key: 'j', payload: { n: 2 } }), topic);
    const unknownId = Buffer.from(good.value);
    unknownId.writeUInt32BE(424242, 1);
    const { 'tributary-category': _c, ...noCategory } = json.headers;
    const poison = [
      { key: 'not-json', value: Buffer.from('{not json'), headers: json.headers },
      { key: 'bad-avro', value: Buffer.concat([good.value.subarray(0, 5), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]), headers: good.headers },
      { key: 'unknown-schema', value: unknownId, headers: good.headers },
      { key: 'unknown-codec', value: json.value, headers: { ...json.headers, 'tributary-codec': Buffer.from('protobuf') } },
      { key: 'no-category', value: json.value, headers: noCategory },
    ];
    await sendRaw(brokers, topic, [...poison, { key: 'after', ...{ value: good.value, headers: good.headers } }]);
    const handled: string[] = [];
    let calls = 0;
    const g = group({ topics: [topic], handlers: { '#': (e) => { calls++; handled.push(e.key!); } }, codecs: createCodecLookup([avro]) });
    await g.start();
    try {
      await until('lag back to 0', lagIsZero(g));
    } finally {
      await g.stop();
    }
    expect(handled).toEqual(['after']);
    expect(calls).toBe(1);
    const dead = await readToEnd({ brokers }, `${topic}.DLT`);
    const h = (key: string, name: string) => dead.find((r) => r.key?.toString() === key)?.headers[name]?.toString();
    expect(dead.map((r) => r.key?.toString())).toEqual(poison.map((p) => p.key));
    expect(poison.map((p) => h(p.key, DeadLetterHeaders.errorCode))).toEqual(['DECODE_FAILED', 'DECODE_FAILED', 'SCHEMA_NOT_FOUND', 'DECODE_FAILED', 'DECODE_FAILED']);
    poison.forEach((p, i) => {
      expect(h(p.key, DeadLetterHeaders.attempts)).toBe('0');
      expect(h(p.key, DeadLetterHeaders.topic)).toBe(topic);
      expect(h(p.key, DeadLetterHeaders.partition)).toBe('0');
      expect(h(p.key, DeadLetterHeaders.offset)).toBe(String(i));
      expect(h(p.key, DeadLetterHeaders.group)).toBe(g.groupId);
      expect(Number(h(p.key, DeadLetterHeaders.timestamp))).toBeGreaterThan(0);
      expect(h(p.key, DeadLetterHeaders.errorMessage)!.length).toBeGreaterThan(0);
      // The raw record, as it was.
      expect(dead[i]!.value).toEqual(p.value);
    });
    expect(g.counters).toMatchObject({ handled: 1, deadLettered: 5 });
  });

  it('retries a failing handler, then dead-letters it, and the partition moves on', async () => {
    const topic = await freshTopic(brokers, 'retry', 2);
    const sent = await publish(brokers, topic, events(20, ['job.run']));
    const failing = sent[7]!;
    const handled: string[] = [];
    const g = group({ topics: [topic], handlers: { 'job.#': (e) => { if (e.id === failing.id) throw new Error('refused'); handled.push(e.id); } } });
    await g.start();
    try {
      await until('lag back to 0', lagIsZero(g));
    } finally {
      await g.stop();
    }
    expect(compareIds(handled, sent.filter((e) => e !== failing).map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
    const [letter] = await readToEnd({ brokers }, `${topic}.DLT`);
    expect(letter!.headers[DeadLetterHeaders.attempts]!.toString()).toBe('3');
    expect(letter!.headers[DeadLetterHeaders.errorCode]!.toString()).toBe('HANDLER_FAILED');
    expect(letter!.headers[DeadLetterHeaders.errorMessage]!.toString()).toBe('refused');
    expect(letter!.headers[DeadLetterHeaders.offset]!.toString()).toBe(failing.offset!.offset.toString());
    expect(letter!.headers['tributary-id']!.toString()).toBe(failing.id);
    expect(g.counters).toMatchObject({ retried: 2, deadLettered: 1 });
  });

  it('pauses a partition whose dead-letter write fails, skipping nothing, and resumes once the topic exists', async () => {
    const topic = await freshTopic(brokers, 'dltfail', 2, false);
    const sent = await publish(brokers, topic, events(40, ['job.run'], 16));
    const failing = sent.find((e) => e.offset!.partition === 0 && e.offset!.offset === 3n)!;
    const handled: Event[] = [];
    const reported: TributaryError[] = [];
    const g = group({
      topics: [topic], retry: { attempts: 1 }, deadLetterBackoff: { initialDelayMs: 300, maxDelayMs: 1000 }, onError: (e) => void reported.push(e),
      handlers: { '#': (e) => { if (e.id === failing.id) throw new Error('poison'); handled.push(e); } },
    });
    await g.start();
    try {
      const other = sent.filter((e) => e.offset!.partition === 1);
      await until('partition 1 handled in full', () => handled.filter((e) => e.offset!.partition === 1).length === other.length);
      await sleep(2000);
      // Partition 0 stopped at the failing record: nothing after it was handled, nothing was committed past it.
      expect(handled.filter((e) => e.offset!.partition === 0).map((e) => e.offset!.offset)).toEqual([0n, 1n, 2n]);
      expect((await committedOffsets(brokers, g.groupId, topic)).get(0)).toBe(3n);
      expect(g.counters.deadLettered).toBe(0);
      // ...and it was not silent: reported once through onError, and listed by stalled(), with the reason.
      expect(reported.map((e) => e.context)).toEqual([{ topic, partition: 0, offset: '3', reason: 'dead-letter-failed' }]);
      expect(reported[0]!.message).toContain(`${topic}.DLT`);
      expect(g.stalled().map((s) => `${s.partition}@${s.offset} ${s.reason}`)).toEqual(['0@3 dead-letter-failed']);
      await createTopics(brokers, [{ topic: `${topic}.DLT`, numPartitions: 1 }]);
      await until('lag back to 0', lagIsZero(g));
      expect(g.stalled()).toEqual([]);
    } finally {
      await g.stop();
    }
    expect(compareIds(handled.map((e) => e.id), sent.filter((e) => e !== failing).map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
    const dead = await readToEnd({ brokers }, `${topic}.DLT`);
    expect(dead.map((r) => r.headers['tributary-id']!.toString())).toEqual([failing.id]);
    expect(g.counters.deadLettered).toBe(1);
  });

  it('stops during a burst: drains, commits, leaves; a restarted member resumes at the commit', async () => {
    const topic = await freshTopic(brokers, 'burst', 3);
    const sent = await publish(brokers, topic, events(600, ['job.run'], 12));
    const groupId = randomGroup();
    const seen: string[] = [];
    const make = () => group({ groupId, topics: [topic], partitionsConcurrently: 3, handlers: { '#': async (e) => { await sleep(2); seen.push(e.id); } } });
    const first = make();
    await first.start();
    await until('a part handled', () => seen.length >= 100);
    await first.stop({ deadlineMs: 10_000 });
    const atStop = seen.length;
    expect(atStop).toBeLessThan(600);
    // Everything handled was committed: the commits add up to what was seen.
    const committed = await committedOffsets(brokers, groupId, topic);
    expect([...committed.values()].reduce<bigint>((n, o) => n + (o ?? 0n), 0n)).toBe(BigInt(atStop));
    const second = make();
    await second.start();
    try {
      await until('all handled', () => seen.length >= 600);
      await sleep(500);
    } finally {
      await second.stop();
    }
    expect(compareIds(seen, sent.map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
  });

  it('two members of one group each handle every event exactly once while membership is stable', async () => {
    const topic = await freshTopic(brokers, 'pair', 4);
    const groupId = randomGroup();
    const byMember = new Map<string, string[]>([['a', []], ['b', []]]);
    const make = (name: string) => group({ groupId, clientId: name, topics: [topic], handlers: { '#': (e) => void byMember.get(name)!.push(e.id) } });
    const a = make('a');
    const b = make('b');
    await a.start();
    await b.start();
    try {
      await until('both members own partitions', () => a.assignment().length > 0 && b.assignment().length > 0 && a.assignment().length + b.assignment().length === 4);
      const sent = await publish(brokers, topic, events(400, ['job.run'], 32));
      await until('all handled', () => byMember.get('a')!.length + byMember.get('b')!.length >= 400);
      await sleep(500);
      expect(byMember.get('a')!.length).toBeGreaterThan(0);
      expect(byMember.get('b')!.length).toBeGreaterThan(0);
      expect(compareIds([...byMember.get('a')!, ...byMember.get('b')!], sent.map((e) => e.id))).toEqual({ missing: [], duplicates: [], extra: [] });
      const owner = new Map([...a.assignment().map((p) => [p.partition, 'a'] as const), ...b.assignment().map((p) => [p.partition, 'b'] as const)]);
      for (const [name, ids] of byMember) for (const id of ids) expect(owner.get(sent.find((e) => e.id === id)!.offset!.partition)).toBe(name);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('keeps a member in the group while a handler outlasts the session timeout', async () => {
    const topic = await freshTopic(brokers, 'slow', 1);
    const sent = await publish(brokers, topic, events(3, ['job.run']));
    const assigned: number[] = [];
    const handled: string[] = [];
    const joins: string[] = [];
    const logger = { debug() {}, info: (_o: object, msg: string) => void (msg === 'joined the group' && joins.push(msg)), warn() {}, error() {} };
    const g = group({
      topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, logger,
      onPartitionsAssigned: (ps) => void assigned.push(ps.length),
      handlers: { '#': async (e) => { if (e.id === sent[1]!.id) await sleep(9000); handled.push(e.id); } },
    });
    await g.start();
    try {
      await until('all handled', () => handled.length >= 3, 30_000);
      await until('committed', lagIsZero(g));
    } finally {
      await g.stop();
    }
    expect(handled).toEqual(sent.map((e) => e.id));
    expect(assigned).toEqual([1]);
    // One join: the member was never evicted and made to rejoin.
    expect(joins).toHaveLength(1);
  }, 60_000);

  it('pauses and resumes fetching on request, and tells of partitions assigned and revoked', async () => {
    const topic = await freshTopic(brokers, 'pause', 2);
    const groupId = randomGroup();
    const handled: string[] = [];
    const revoked: number[][] = [];
    const a = group({ groupId, topics: [topic], handlers: { '#': (e) => void handled.push(e.id) }, onPartitionsRevoked: (ps) => void revoked.push(ps.map((p) => p.partition)) });
    await a.start();
    try {
      expect(a.assignment()).toHaveLength(2);
      a.pause();
      expect(a.paused()).toHaveLength(2);
      const sent = await publish(brokers, topic, events(20, ['job.run']));
      await sleep(1500);
      expect(handled).toEqual([]);
      a.resume([{ topic, partition: 0 }]);
      await until('partition 0 handled', () => handled.length === sent.filter((e) => e.offset!.partition === 0).length);
      a.resume();
      await until('all handled', () => handled.length === 20);
      // A second member takes one partition: the first is told what it lost.
      const b = group({ groupId, topics: [topic], handlers: { '#': () => {} } });
      await b.start();
      await until('one partition revoked', () => revoked.length === 1);
      await b.stop();
      expect(revoked[0]).toHaveLength(1);
    } finally {
      await a.stop();
    }
    expect(revoked.at(-1)!.length).toBeGreaterThan(0);
  });

  it('gives up waiting for a handler that never ends at the stop deadline, with TIMEOUT', async () => {
    const topic = await freshTopic(brokers, 'hang', 1);
    await publish(brokers, topic, events(2, ['job.run']));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    const g = group({ topics: [topic], handlers: { '#': async () => { started = true; await gate; } } });
    await g.start();
    await until('handler running', () => started);
    const before = Date.now();
    await expect(g.stop({ deadlineMs: 1000 })).rejects.toMatchObject({ code: 'TIMEOUT', context: { drained: false } });
    expect(Date.now() - before).toBeLessThan(3000);
    expect(g.state).toBe('stopped');
    release();
  });

  it('fails to start on a topic that does not exist, naming it', async () => {
    const g = group({ topics: ['no-such-topic-here'], handlers: { '#': () => {} } });
    await expect(g.start()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', context: { option: 'topics[0]' } });
    expect(g.state).toBe('failed');
    await g.stop();
  });
});
