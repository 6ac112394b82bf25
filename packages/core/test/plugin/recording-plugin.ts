// A minimal producer plugin for the core's tests: an in-memory log partitioned by a simple hash of the key.
import { EventOffset } from '../../src/offset/event-offset.js';
import type { StoredRecord } from '../../src/offset/stored-record.js';
import type { ProducerPluginOptions } from '../../src/plugin/options.js';
import type { OutgoingRecord } from '../../src/plugin/outgoing-record.js';
import { ProducerPlugin } from '../../src/plugin/producer-plugin.js';
import { setting, type InferSettings } from '../../src/plugin/settings-schema.js';

const schema = setting.object({
  partitions: setting.integer().min(1).default(1),
  ackDelayMs: setting.integer().min(0).default(0),
});

export class RecordingPlugin extends ProducerPlugin<InferSettings<typeof schema>> {
  readonly log: StoredRecord[] = [];
  readonly calls: OutgoingRecord[][] = [];
  readonly lifecycle: string[] = [];
  openImpl: (() => Promise<void>) | undefined;
  readonly #next = new Map<string, bigint>();

  constructor(settings: unknown, options?: ProducerPluginOptions) {
    super({ name: 'recording', settings: schema }, settings, options);
  }

  protected async _open(): Promise<void> {
    this.lifecycle.push('open');
    await this.openImpl?.();
  }

  protected async _close(): Promise<void> {
    this.lifecycle.push('close');
  }

  protected _send(batch: readonly OutgoingRecord[]): Promise<EventOffset[]> {
    this.calls.push([...batch]);
    const offsets = batch.map(({ topic, record }) => {
      let hash = 0;
      for (const byte of record.key ?? []) hash = (hash * 31 + byte) >>> 0;
      const partition = hash % this.settings.partitions;
      const id = `${topic}:${partition}`;
      const offset = EventOffset.of(topic, partition, this.#next.get(id) ?? 0n);
      this.#next.set(id, offset.offset + 1n);
      this.log.push({ offset, record });
      return offset;
    });
    const delay = this.settings.ackDelayMs;
    const acked = delay === 0 ? Promise.resolve(offsets) : new Promise<EventOffset[]>((resolve) => setTimeout(() => resolve(offsets), delay));
    return acked.then((o) => {
      this.lifecycle.push(`ack ${batch.length}`);
      return o;
    });
  }
}
