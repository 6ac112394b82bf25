import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Event, type ProducerPlugin } from '@tributary/core';
import { FileLog, FileProducerPlugin, MemoryBus, MemoryProducerPlugin } from '@tributary/producer-plugins';
import { DateTime } from 'luxon';
import { replay, type ReplayProgress } from '../../src/replay/replay.js';
import { fileReplaySource, memoryReplaySource, type ReplaySource } from '../../src/replay/replay-source.js';
import { replaySourceConformance } from './replay-source.conformance.js';

async function roundTrip(plugin: ProducerPlugin<object>, source: ReplaySource, topic: string): Promise<void> {
  await plugin.open();
  const sent = await plugin.send(Array.from({ length: 120 }, (_, i) => Event.create({ category: i % 4 === 0 ? 'audit.login' : 'order.placed', key: `k${i % 7}`, payload: { i } })));
  await plugin.close();
  const all: Event[] = [];
  for await (const e of replay({ source, topic, chunk: 16 })) all.push(e);
  expect(all.map((e) => e.id).sort()).toEqual(sent.map((e) => e.id).sort());
  for (const e of all) expect(e.offset?.toString()).toBe(sent.find((s) => s.id === e.id)!.offset?.toString());
  const audits: Event[] = [];
  for await (const e of replay({ source, topic, categories: ['audit.#'] })) audits.push(e);
  expect(audits).toHaveLength(30);
  // Per partition, offsets come in increasing order.
  const last = new Map<number, bigint>();
  for (const e of all) {
    expect(e.offset!.offset).toBeGreaterThan(last.get(e.offset!.partition) ?? -1n);
    last.set(e.offset!.partition, e.offset!.offset);
  }
}

describe('replay of the in-process buses', () => {
  it('fetches as the caller pulls, at most one chunk ahead (bounded memory whatever the range)', async () => {
    const bus = new MemoryBus();
    const plugin = new MemoryProducerPlugin({ topic: 'big', partitions: 1 }, { bus });
    await plugin.open();
    await plugin.send(Array.from({ length: 1000 }, (_, i) => Event.create({ category: 'a.b', payload: { i } })));
    const inner = memoryReplaySource(bus);
    const asked: number[] = [];
    const source: ReplaySource = { ...inner, read: async (t, p, from, max) => { asked.push(max); return inner.read(t, p, from, max); } };
    const events = replay({ source, topic: 'big', chunk: 10 });
    for (let i = 0; i < 25; i++) await events.next();
    // 25 events handed out come from the third chunk; the fourth is being read meanwhile, and no more.
    expect(asked).toEqual([10, 10, 10, 10]);
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toHaveLength(4);
    await events.return(undefined);
  });

  it('replays between two times, and reports progress up to done', async () => {
    const bus = new MemoryBus();
    const plugin = new MemoryProducerPlugin({ topic: 'timed', partitions: 2 }, { bus });
    await plugin.open();
    const base = DateTime.utc(2024, 3, 1).toMillis();
    const sent = await plugin.send(Array.from({ length: 40 }, (_, i) => Event.create({ category: 'a.b', key: `k${i % 3}`, payload: { i }, timestamp: base + i * 1000 })));
    const updates: ReplayProgress[] = [];
    const got: Event[] = [];
    for await (const e of replay({ source: memoryReplaySource(bus), topic: 'timed', from: DateTime.fromMillis(base + 10_000), to: new Date(base + 30_000).toISOString(), chunk: 4, onProgress: (p) => updates.push(p) })) got.push(e);
    expect(got.map((e) => e.id).sort()).toEqual(sent.slice(10, 30).map((e) => e.id).sort());
    expect(updates.at(-1)).toMatchObject({ events: 20, records: 20, done: 1, etaSeconds: 0 });
    expect(updates.every((u, i) => i === 0 || u.done >= updates[i - 1]!.done)).toBe(true);
  });

  it('refuses a bad chunk or category pattern, naming the option', async () => {
    const bus = new MemoryBus();
    bus.createTopic('t', { partitions: 1 });
    await expect(replay({ source: memoryReplaySource(bus), topic: 't', chunk: 0 }).next()).rejects.toMatchObject({ context: { option: 'chunk' } });
    await expect(replay({ source: memoryReplaySource(bus), topic: 't', categories: ['a..b'] }).next()).rejects.toMatchObject({ context: { option: 'categories[0]' } });
  });

  it('refuses a bound naming a partition the topic does not have, rather than read as if it were not named', async () => {
    const bus = new MemoryBus();
    bus.createTopic('t', { partitions: 2 });
    await expect(replay({ source: memoryReplaySource(bus), topic: 't', from: 't:0@0,t:5@0' }).next()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Replay from t:5@0 names partition 5, but topic "t" has partitions 0 to 1',
    });
    await expect(replay({ source: memoryReplaySource(bus), topic: 't', to: 't:2@0' }).next()).rejects.toMatchObject({ context: { topic: 't', partition: 2, partitions: 2 } });
  });

  it('closes its source once, however the iteration ends: at the end, by return(), or by an event that does not decode', async () => {
    const bus = new MemoryBus();
    const plugin = new MemoryProducerPlugin({ topic: 'ends', partitions: 1 }, { bus });
    await plugin.open();
    await plugin.send(Array.from({ length: 30 }, (_, i) => Event.create({ category: 'a.b', payload: { i } })));
    const counted = () => {
      const source = { ...memoryReplaySource(bus), closed: 0, async close() { source.closed++; } };
      return source;
    };
    const whole = counted();
    const events = replay({ source: whole, topic: 'ends', chunk: 7 });
    let n = 0;
    for await (const _ of events) n++;
    expect([n, whole.closed]).toEqual([30, 1]);
    expect(await events.next()).toEqual({ value: undefined, done: true });

    const early = counted();
    for await (const _ of replay({ source: early, topic: 'ends', chunk: 7 })) break;
    expect(early.closed).toBe(1);

    // A record whose payload is not JSON fails the replay at its offset; the source is closed and the iteration is over.
    bus.append('ends', [{ key: null, value: Buffer.from('{not json'), headers: { 'tributary-id': Buffer.from('0190163d-8694-739b-aea5-966c26f8ad91'), 'tributary-category': Buffer.from('a.b'), 'tributary-codec': Buffer.from('json') }, timestamp: '0' }], { partition: 0 });
    const broken = counted();
    const failing = replay({ source: broken, topic: 'ends', from: 'ends:0@29' });
    expect((await failing.next()).value?.payload).toEqual({ i: 29 });
    await expect(failing.next()).rejects.toMatchObject({ code: 'DECODE_FAILED', context: { offset: 'ends:0@30', codec: 'json' } });
    expect(broken.closed).toBe(1);
    expect(await failing.next()).toEqual({ value: undefined, done: true });
  });

  it('hands out every event once and in order when next() is called again before the last call settled', async () => {
    const bus = new MemoryBus();
    const plugin = new MemoryProducerPlugin({ topic: 'eager', partitions: 1 }, { bus });
    await plugin.open();
    await plugin.send(Array.from({ length: 50 }, (_, i) => Event.create({ category: 'a.b', payload: { i } })));
    const events = replay({ source: memoryReplaySource(bus), topic: 'eager', chunk: 8 });
    const results = await Promise.all(Array.from({ length: 52 }, () => events.next()));
    expect(results.slice(0, 50).map((r) => (r.value as Event<{ i: number }>).payload.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(results.slice(50)).toEqual([{ value: undefined, done: true }, { value: undefined, done: true }]);
  });

  it('replays the memory bus', async () => {
    const bus = new MemoryBus();
    await roundTrip(new MemoryProducerPlugin({ topic: 'orders', partitions: 3 }, { bus }), memoryReplaySource(bus), 'orders');
  });

  it('replays the file bus', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-replay-'));
    try {
      await roundTrip(new FileProducerPlugin({ topic: 'orders', directory: dir, partitions: 3 }), fileReplaySource(new FileLog(dir)), 'orders');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('memoryReplaySource conformance', () => {
  replaySourceConformance(async (list) => {
    const bus = new MemoryBus();
    const plugin = new MemoryProducerPlugin({ topic: 'conf', partitions: 2 }, { bus });
    await plugin.open();
    return { source: memoryReplaySource(bus), topic: 'conf', sent: await plugin.send(list) };
  });
});

describe('fileReplaySource conformance', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  replaySourceConformance(async (list) => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-conf-'));
    dirs.push(dir);
    const plugin = new FileProducerPlugin({ topic: 'conf', directory: dir, partitions: 2 });
    await plugin.open();
    const sent = await plugin.send(list);
    await plugin.close();
    return { source: fileReplaySource(new FileLog(dir)), topic: 'conf', sent };
  });
});
