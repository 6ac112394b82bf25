import { Event, PluginConfigError, loadProducerPlugin } from '@tributary/core';
import { describeProducerPluginConformance } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryProducerPlugin } from '../../src/index.js';
import { partitionForKey } from '@tributary/kafka';

describeProducerPluginConformance('memory', ({ settings, partitions }) => {
  const bus = new MemoryBus();
  return { plugin: new MemoryProducerPlugin({ ...settings, partitions }, { bus }), readBack: async (topic) => bus.readAll(topic) };
});

describe('MemoryProducerPlugin', () => {
  it('creates its topic with the configured partitions and partitions by key as Kafka', async () => {
    const bus = new MemoryBus();
    await using plugin = new MemoryProducerPlugin({ topic: 'orders', partitions: 4 }, { bus });
    await plugin.open();
    expect(bus.partitionCount('orders')).toBe(4);
    const sent = await plugin.send(['a', 'b', 'c', 'd', 'e'].map((key) => Event.create({ category: 'order.placed', key, payload: key })));
    for (const event of sent) expect(event.offset?.partition).toBe(partitionForKey(event.key, 4));
  });

  it('is loaded by name, writing to the shared bus its settings name', async () => {
    const plugin = await loadProducerPlugin({ plugin: 'memory', settings: { topic: 'loaded', bus: 'memory-plugin-test' } });
    expect(plugin).toBeInstanceOf(MemoryProducerPlugin);
    await plugin.open();
    const sent = await plugin.send(Event.create({ category: 'a.b', payload: 1 }));
    await plugin.close();
    expect(MemoryBus.shared('memory-plugin-test').read('loaded', 0)[0]?.offset.equals(sent.offset)).toBe(true);
  });

  it('rejects bad settings naming the plugin and the setting', () => {
    expect(() => new MemoryProducerPlugin({ topic: 't', partitions: 0 })).toThrow(PluginConfigError);
    expect(() => new MemoryProducerPlugin({ topic: 't', partitions: 0 })).toThrow('Setting "partitions" of plugin "memory" is 0');
  });
});
