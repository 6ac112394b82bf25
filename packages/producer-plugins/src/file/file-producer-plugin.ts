import {
  InvalidArgumentError,
  PartialSendError,
  ProducerPlugin,
  setting,
  type EventOffset,
  type InferSettings,
  type OutgoingRecord,
  type ProducerPluginOptions,
  type ProducerSettingsInput,
  type RecordOutcome,
} from '@tributary/core';
import { FileLog } from './file-log.js';

/**
 * Settings of the `file` plugin (besides `topic` and `maxEventBytes`):
 * - `directory`: where the log lives (created when missing);
 * - `partitions`: the partition count of topics the plugin creates (default 1); a topic that exists keeps its own;
 * - `fsync`: flush every send to the disk before it resolves, to survive a power loss (default false: a send
 *   that resolved survives a crash of the process, not of the machine).
 */
export const fileProducerSettingsSchema = setting.object({
  directory: setting.string().min(1),
  partitions: setting.integer().min(1).max(10_000).default(1),
  fsync: setting.boolean().default(false),
});

/** The validated settings of the `file` plugin. */
export type FileProducerSettings = InferSettings<typeof fileProducerSettingsSchema>;

/**
 * The `file` producer plugin: writes to a {@link FileLog} (JSON lines per topic partition; offsets are line
 * numbers). It survives restarts: reopening continues the numbering, and a line torn by a crash is truncated.
 * One plugin (one process) should write to a directory at a time. Read what it wrote with `new FileLog(dir)`.
 *
 * Failures: a failed write reports the records of the partition being written `unknown` (part of the write
 * may be on disk; the next write truncates a torn line), records of partitions not yet written `failed`.
 */
export class FileProducerPlugin extends ProducerPlugin<FileProducerSettings> {
  #log: FileLog | undefined;

  /** @throws PluginConfigError for invalid settings (see {@link fileProducerSettingsSchema}). */
  constructor(settings: ProducerSettingsInput<typeof fileProducerSettingsSchema>, options: ProducerPluginOptions = {}) {
    super({ name: 'file', settings: fileProducerSettingsSchema }, settings, options);
  }

  /** The log this plugin writes to (once open). */
  get log(): FileLog | undefined {
    return this.#log;
  }

  protected async _open(): Promise<void> {
    const log = new FileLog(this.settings.directory, { fsync: this.settings.fsync });
    await this.#ensureTopic(log, this.settings.topic);
    this.#log = log;
  }

  protected async _close(): Promise<void> {
    await this.#log?.close();
  }

  protected async _send(batch: readonly OutgoingRecord[]): Promise<EventOffset[]> {
    const log = this.#log!;
    const offsets: EventOffset[] = [];
    for (let start = 0; start < batch.length; ) {
      const topic = batch[start]!.topic;
      let end = start + 1;
      while (end < batch.length && batch[end]!.topic === topic) end++;
      try {
        await this.#ensureTopic(log, topic);
        offsets.push(...(await log.append(topic, batch.slice(start, end).map((r) => r.record))));
      } catch (cause) {
        throw this.#partial(batch.length, offsets, start, end, cause);
      }
      start = end;
    }
    return offsets;
  }

  /** Outcomes of a multi-topic batch that failed in records [start, end): earlier ok, later failed. */
  #partial(total: number, written: readonly EventOffset[], start: number, end: number, cause: unknown): PartialSendError {
    const inner = cause instanceof PartialSendError ? cause.outcomes : undefined;
    const outcomes = Array.from({ length: total }, (_, i): RecordOutcome => {
      if (i < start) return { status: 'ok', offset: written[i] };
      if (i < end) return inner?.[i - start] ?? { status: 'failed', error: cause };
      return { status: 'failed' };
    });
    const reason = cause instanceof PartialSendError && cause.cause !== undefined ? cause.cause : cause;
    return new PartialSendError(`File log write failed: ${(reason as Error)?.message ?? String(reason)}`, outcomes, {
      cause: reason,
      retriable: !(reason instanceof InvalidArgumentError),
    });
  }

  async #ensureTopic(log: FileLog, topic: string): Promise<void> {
    if (!(await log.hasTopic(topic))) await log.createTopic(topic, { partitions: this.settings.partitions });
  }
}
