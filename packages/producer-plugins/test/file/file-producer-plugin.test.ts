import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event, PluginConfigError, loadProducerPlugin } from '@tributary/core';
import { describeProducerPluginConformance } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLog, FileProducerPlugin } from '../../src/index.js';

describeProducerPluginConformance('file', async ({ settings, partitions }) => {
  const directory = await mkdtemp(join(tmpdir(), 'tributary-file-conformance-'));
  const reader = new FileLog(directory);
  return {
    plugin: new FileProducerPlugin({ ...settings, directory, partitions }),
    readBack: (topic) => reader.readAll(topic),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('FileProducerPlugin', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'tributary-file-plugin-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('continues offsets across restarts of the plugin', async () => {
    const first = new FileProducerPlugin({ topic: 't', directory, partitions: 2 });
    await first.open();
    const before = await first.send(['a', 'b', 'c'].map((key) => Event.create({ category: 'x.y', key, payload: key })));
    await first.close();
    const second = new FileProducerPlugin({ topic: 't', directory, partitions: 5, fsync: true });
    await second.open();
    const after = await second.send(['a', 'b', 'c'].map((key) => Event.create({ category: 'x.y', key, payload: key })));
    await second.close();
    after.forEach((event, i) => {
      expect(event.offset?.partition).toBe(before[i]!.offset?.partition);
    });
    const log = await new FileLog(directory).readAll('t');
    expect(log.length).toBe(6);
    expect(await new FileLog(directory).partitionCount('t')).toBe(2);
    // Each partition's numbering goes on where the first plugin left it.
    const next = new Map<number, bigint>();
    for (const event of before) next.set(event.offset!.partition, (next.get(event.offset!.partition) ?? 0n) + 1n);
    for (const event of after) {
      const expected = next.get(event.offset!.partition) ?? 0n;
      expect(event.offset!.offset).toBe(expected);
      next.set(event.offset!.partition, expected + 1n);
    }
  });

  it('is loaded by name', async () => {
    const plugin = await loadProducerPlugin({ plugin: 'file', settings: { topic: 'loaded', directory } });
    expect(plugin).toBeInstanceOf(FileProducerPlugin);
    await plugin.open();
    const sent = await plugin.send(Event.create({ category: 'a.b', payload: { hello: 'world' } }));
    await plugin.close();
    const [stored] = await new FileLog(directory).readAll('loaded');
    expect(stored?.offset.equals(sent.offset)).toBe(true);
    expect(JSON.parse(stored!.record.value.toString())).toEqual({ hello: 'world' });
  });

  it('rejects a missing directory setting naming the plugin', () => {
    expect(() => new FileProducerPlugin({ topic: 't' } as never)).toThrow(PluginConfigError);
    expect(() => new FileProducerPlugin({ topic: 't' } as never)).toThrow('Setting "directory" of plugin "file" is missing');
  });
});
