import { ProducerPlugin, setting, type EventOffset, type InferSettings, type OutgoingRecord, type ProducerPluginOptions, type ProducerSettingsInput } from '@tributary/core';
import { MemoryBus } from './memory-bus.js';

/**
 * Settings of the `memory` plugin (besides `topic` and `maxEventBytes`):
 * - `bus`: the name of the process-wide {@link MemoryBus.shared} bus to write to (default `default`), unless
 *   a bus instance is given in the options;
 * - `partitions`: the partition count of topics the plugin creates (default 1).
 */
export const memoryProducerSettingsSchema = setting.object({
  bus: setting.string().min(1).default('default'),
  partitions: setting.integer().min(1).max(10_000).default(1),
});

/** The validated settings of the `memory` plugin. */
export type MemoryProducerSettings = InferSettings<typeof memoryProducerSettingsSchema>;

/** Options of the `memory` plugin: a bus instance to write to instead of the shared one named by `bus`. */
export interface MemoryProducerPluginOptions extends ProducerPluginOptions {
  bus?: MemoryBus;
}

/**
 * The `memory` producer plugin: writes to a {@link MemoryBus} in this process. Each `_send` appends its
 * records atomically and synchronously, so order and offsets follow the calls exactly; it never fails except
 * on a bad topic. Topics that do not exist are created with `partitions` partitions.
 */
export class MemoryProducerPlugin extends ProducerPlugin<MemoryProducerSettings> {
  /** The bus this plugin writes to. */
  readonly bus: MemoryBus;

  /** @throws PluginConfigError for invalid settings (see {@link memoryProducerSettingsSchema}). */
  constructor(settings: ProducerSettingsInput<typeof memoryProducerSettingsSchema>, options: MemoryProducerPluginOptions = {}) {
    super({ name: 'memory', settings: memoryProducerSettingsSchema }, settings, options);
    this.bus = options.bus ?? MemoryBus.shared(this.settings.bus);
  }

  protected async _open(): Promise<void> {
    this.#ensureTopic(this.settings.topic);
  }

  protected async _close(): Promise<void> {}

  protected async _send(batch: readonly OutgoingRecord[]): Promise<EventOffset[]> {
    const offsets: EventOffset[] = [];
    // Consecutive records of one topic go in one atomic append.
    for (let start = 0; start < batch.length; ) {
      const topic = batch[start]!.topic;
      let end = start + 1;
      while (end < batch.length && batch[end]!.topic === topic) end++;
      this.#ensureTopic(topic);
      offsets.push(...this.bus.append(topic, batch.slice(start, end).map((r) => r.record)));
      start = end;
    }
    return offsets;
  }

  #ensureTopic(topic: string): void {
    if (!this.bus.hasTopic(topic)) this.bus.createTopic(topic, { partitions: this.settings.partitions });
  }
}
