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
