import { mkdir, open, readFile, readdir, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ErrorCodes,
  EventOffset,
  InvalidArgumentError,
  PartialSendError,
  TributaryError,
  quote,
  validateTopic,
  type EventRecord,
  type RecordOutcome,
  type StoredRecord,
} from '@tributary/core';
import { readLines, recoverFile } from '../internal/partition-file.js';
import { partitionForKey } from '@tributary/kafka';
import { decodeLine, encodeLine } from './line-format.js';

/** Options of a {@link FileLog}. */
export interface FileLogOptions {
  /** Flush each append to the disk (`fdatasync`) before it resolves, so it survives a power loss. Default false. */
  fsync?: boolean;
}

interface Writer {
  handle: FileHandle;
  next: bigint;
  /** A write failed part-way: scan the file again before the next one. */
  dirty: boolean;
}

const TOPIC_FILE = 'topic.json';

/**
 * An append-only log on disk, one JSON-lines file per topic partition: `<directory>/<topic>/<partition>.jsonl`
 * and `<directory>/<topic>/topic.json` (the partition count). A record's offset is its line number from 0, so
 * offsets are consecutive and reopening a log continues the numbering. See `LogLine` for the line format.
 *
 * Contract: one writer (one FileLog that appends) per directory at a time; any number of readers. An `append`
 * writes each partition's lines with one write and resolves once they are written (and flushed with `fsync`).
 * A crash can leave a torn last line; the writer truncates it when it next opens the partition, and readers
 * never return it. Records with the same key go to the same partition (murmur2, as Kafka).
 */
export class FileLog {
  /** The log's directory. */
  readonly directory: string;
  readonly #fsync: boolean;
  readonly #writers = new Map<string, Promise<Writer>>();
  readonly #partitionCounts = new Map<string, number>();
  readonly #roundRobin = new Map<string, number>();
  #chain: Promise<unknown> = Promise.resolve();

  constructor(directory: string, options: FileLogOptions = {}) {
    if (typeof directory !== 'string' || directory === '') {
      throw new InvalidArgumentError(`Invalid file log directory ${quote(directory)}: expected a non-empty path`, { value: directory, expected: 'directory' });
    }
    this.directory = directory;
    this.#fsync = options.fsync ?? false;
  }

  /**
   * Create a topic with `partitions` partitions; creating an existing topic with the same count does nothing.
   * @throws InvalidArgumentError for a bad name or count, or when the topic exists with another count.
   */
  async createTopic(topic: string, options: { partitions?: number } = {}): Promise<void> {
    validateTopic(topic);
    const partitions = options.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
      throw new InvalidArgumentError(`Invalid partition count ${quote(partitions)}: expected an integer from 1 to 10000`, { value: partitions, expected: 'partition count' });
    }
    const existing = await this.#readPartitionCount(topic);
    if (existing === partitions) return;
    if (existing !== undefined) {
      throw new InvalidArgumentError(`Topic ${quote(topic)} of file log ${quote(this.directory)} has ${existing} partitions, not ${partitions}`, {
        topic,
        partitions: existing,
        expected: partitions,
      });
    }
    await mkdir(join(this.directory, topic), { recursive: true });
    await writeFile(join(this.directory, topic, TOPIC_FILE), `${JSON.stringify({ partitions })}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    this.#partitionCounts.set(topic, partitions);
  }

  /** True when the topic exists. */
  async hasTopic(topic: string): Promise<boolean> {
    return (await this.#readPartitionCount(topic)) !== undefined;
  }

  /** The topics of the log, sorted. */
  async topics(): Promise<string[]> {
    const entries = await readdir(this.directory, { withFileTypes: true }).catch(() => []);
    const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    const present = await Promise.all(names.map((name) => this.hasTopic(name)));
    return names.filter((_, i) => present[i]).sort();
  }

  /**
   * How many partitions a topic has.
   * @throws InvalidArgumentError when the topic does not exist.
   */
  async partitionCount(topic: string): Promise<number> {
    const count = await this.#readPartitionCount(topic);
    if (count !== undefined) return count;
    throw new InvalidArgumentError(`Unknown topic ${quote(topic)} in file log ${quote(this.directory)}`, { topic, expected: 'existing topic' });
  }

  /**
   * Append records to an existing topic, each to its key's partition, in order; returns their offsets. Appends
   * run one after another.
   * @throws InvalidArgumentError when the topic does not exist (nothing is written).
   * @throws PartialSendError when a write fails: records of partitions already written are `ok`, those of the
   *   partition being written `unknown`, the others `failed`; the cause is kept.
   */
  append(topic: string, records: readonly EventRecord[]): Promise<EventOffset[]> {
    const run = this.#chain.then(() => this.#append(topic, records));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #append(topic: string, records: readonly EventRecord[]): Promise<EventOffset[]> {
    const count = await this.partitionCount(topic);
    const groups = new Map<number, number[]>();
    records.forEach((record, i) => {
      const partition = this.#partitionFor(topic, record.key, count);
      const group = groups.get(partition);
      if (group) group.push(i);
      else groups.set(partition, [i]);
    });
    const offsets = new Array<EventOffset>(records.length);
    const outcomes: RecordOutcome[] = records.map(() => ({ status: 'failed' }));
    for (const [partition, indexes] of groups) {
      try {
        const written = await this.#write(topic, partition, indexes.map((i) => records[i]!));
        indexes.forEach((i, k) => (outcomes[i] = { status: 'ok', offset: (offsets[i] = written[k]!) }));
      } catch (cause) {
        for (const i of indexes) outcomes[i] = { status: 'unknown', error: cause };
        throw new PartialSendError(`Could not append to file log ${topic}:${partition}: ${(cause as Error).message}`, outcomes, { cause, retriable: true });
      }
    }
    return offsets;
  }

  async #write(topic: string, partition: number, records: readonly EventRecord[]): Promise<EventOffset[]> {
    const writer = await this.#writer(topic, partition);
    if (writer.dirty) {
      writer.next = (await recoverFile(this.#path(topic, partition), topic, partition)).next;
      writer.dirty = false;
    }
    const first = writer.next;
    const text = records.map((record, k) => encodeLine(first + BigInt(k), record)).join('');
    try {
      await writer.handle.appendFile(text, 'utf8');
      if (this.#fsync) await writer.handle.datasync();
    } catch (error) {
      writer.dirty = true;
      throw error;
    }
    writer.next = first + BigInt(records.length);
    return records.map((_, k) => EventOffset.of(topic, partition, first + BigInt(k)));
  }

  /**
   * The records of a partition from offset `from` on, in order, streamed from the file. Only complete lines
   * are returned, so reading while a writer appends is safe. Reading scans from the start of the file.
   * @throws TributaryError DECODE_FAILED on a malformed line.
   */
  async *read(topic: string, partition: number, from: bigint = 0n, options: { signal?: AbortSignal } = {}): AsyncGenerator<StoredRecord> {
    let offset = 0n;
    for await (const line of readLines(this.#path(topic, partition), options.signal)) {
      if (offset >= from) yield decodeLine(line, topic, partition, offset);
      offset++;
    }
  }

  /** Every record of a topic, partition by partition, each in offset order. */
  async readAll(topic: string): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    const count = await this.partitionCount(topic);
    for (let partition = 0; partition < count; partition++) {
      for await (const stored of this.read(topic, partition)) out.push(stored);
    }
    return out;
  }

  /** The offset the next record of the partition gets: its number of complete lines. */
  async highWatermark(topic: string, partition: number): Promise<bigint> {
    let lines = 0n;
    for await (const _line of readLines(this.#path(topic, partition))) lines++;
    return lines;
  }

  /** Wait for pending appends, then close the files. The log can be appended to again (files reopen). */
  async close(): Promise<void> {
    await this.#chain;
    const writers = [...this.#writers.values()];
    this.#writers.clear();
    await Promise.all(writers.map(async (w) => (await w.catch(() => undefined))?.handle.close()));
  }

  #path(topic: string, partition: number): string {
    return join(this.directory, topic, `${partition}.jsonl`);
  }

  #partitionFor(topic: string, key: Buffer | null, count: number): number {
    if (key !== null) return partitionForKey(key, count);
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, next + 1);
    return next % count;
  }

  #writer(topic: string, partition: number): Promise<Writer> {
    const id = `${topic}\u0000${partition}`;
    let writer = this.#writers.get(id);
    if (!writer) {
      writer = (async () => {
        const { next } = await recoverFile(this.#path(topic, partition), topic, partition);
        return { handle: await open(this.#path(topic, partition), 'a'), next, dirty: false };
      })();
      writer.catch(() => this.#writers.delete(id));
      this.#writers.set(id, writer);
    }
    return writer;
  }

  async #readPartitionCount(topic: string): Promise<number | undefined> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined) return known;
    let text: string;
    try {
      text = await readFile(join(this.directory, validateTopic(topic), TOPIC_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let partitions: unknown;
    try {
      partitions = (JSON.parse(text) as { partitions?: unknown }).partitions;
    } catch {
      partitions = undefined;
    }
    if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) {
      throw new TributaryError(ErrorCodes.DECODE_FAILED, `Malformed ${TOPIC_FILE} of topic ${quote(topic)} in file log ${quote(this.directory)}`, { context: { topic } });
    }
    this.#partitionCounts.set(topic, partitions);
    return partitions;
  }
}
