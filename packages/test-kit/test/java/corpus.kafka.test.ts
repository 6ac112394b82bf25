import { ErrorCodes } from '@tributary/core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaRuntimeError } from '../../src/errors.js';
import { readWithConsoleConsumer } from '../../src/java/console-consumer.js';
import { writeJavaCorpus } from '../../src/java/corpus.js';
import type { CorpusManifest, CorpusRecord, CorpusTopic } from '../../src/java/corpus-manifest.js';
import { liveProcessCount } from '../../src/runtime/process-registry.js';

const brokers = inject('kafkaBrokers');
const MIB = 1024 * 1024;

const position = (r: { partition: number; offset: string }) => `${r.partition}@${r.offset}`;

function topicOf(manifest: CorpusManifest, scenario: CorpusTopic['scenario']): CorpusTopic {
  const topic = manifest.topics.find((t) => t.scenario === scenario);
  if (!topic) throw new Error(`no ${scenario} topic in the manifest`);
  return topic;
}

describe('writeJavaCorpus', () => {
  let manifest: CorpusManifest;
  beforeAll(async () => {
    manifest = await writeJavaCorpus({ brokers, log: (line) => console.log(line) });
  }, 120_000);

  it('writes every scenario, each on its own topic, with the records the producers acknowledged', () => {
    const scenarios = manifest.topics.map((t) => t.scenario).sort();
    expect(scenarios).toEqual(
      ['codec-gzip', 'codec-lz4', 'codec-none', 'codec-snappy', 'codec-zstd', 'console-lz4', 'console-snappy', 'edge-records', 'transactions', 'zstd-large-batch'].sort(),
    );
    expect(new Set(manifest.topics.map((t) => t.topic)).size).toBe(manifest.topics.length);
    for (const t of manifest.topics) {
      expect(t.topic.startsWith(`${manifest.prefix}-`)).toBe(true);
      const positions = [...t.expected, ...t.aborted].map(position);
      expect(new Set(positions).size, `${t.topic}: no two records share a position`).toBe(positions.length);
      for (const r of t.expected) expect(r.partition).toBeLessThan(t.partitions);
    }
    expect(manifest.writeMs).toBeLessThan(60_000);
  });

  it('compresses each codec topic with its codec, in batches of many records', () => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const t = topicOf(manifest, `codec-${codec}`);
      expect(t.expected).toHaveLength(300);
      expect(new Set(t.expected.map((r) => r.partition)).size).toBe(3);
      expect(new Set(t.batches.map((b) => b.compression))).toEqual(new Set([codec]));
      expect(Math.max(...t.batches.map((b) => b.records)), codec).toBeGreaterThan(20);
    }
    for (const codec of ['lz4', 'snappy'] as const) {
      const t = topicOf(manifest, `console-${codec}`);
      expect(t.writer).toBe('console-producer');
      expect(t.expected).toHaveLength(200);
      expect(new Set(t.batches.map((b) => b.compression)), 'the console producer honoured --compression-codec').toEqual(new Set([codec]));
    }
  });

  it('holds one zstd batch that decompresses to more than 1 MiB', () => {
    const t = topicOf(manifest, 'zstd-large-batch');
    expect(t.expected).toHaveLength(3000);
    const largest = t.batches.reduce((a, b) => (b.recordsBytes > a.recordsBytes ? b : a));
    expect(largest.compression).toBe('zstd');
    expect(largest.recordsBytes).toBeGreaterThan(MIB);
    expect(largest.sizeInBytes).toBeLessThan(largest.recordsBytes);
  });

  it('lists committed and aborted transactional records apart, with their markers in the log', () => {
    const t = topicOf(manifest, 'transactions');
    expect(t.expected).toHaveLength(30 + 40 + 25 + 30);
    expect(t.aborted).toHaveLength(50 + 40 + 1100 + 1100);
    const valueBytes = (records: CorpusRecord[]) => records.reduce((n, r) => n + Buffer.from(r.value ?? '', 'base64').length, 0);
    expect(valueBytes(t.aborted)).toBeGreaterThan(2 * MIB);
    const abortedPositions = new Set(t.aborted.map(position));
    const abortedBatches = t.batches.filter((b) => !b.control && abortedPositions.has(`${b.partition}@${b.baseOffset}`));
    expect(new Set(abortedBatches.map((b) => b.compression))).toEqual(new Set(['none', 'zstd']));
    expect(t.batches.filter((b) => b.control).length, 'a marker per transaction and partition').toBeGreaterThanOrEqual(8);
    expect(t.batches.every((b) => b.transactional)).toBe(true);
  });

  it('keeps the edge records: null versus empty, 40 headers, a unicode key, fixed timestamps', () => {
    const t = topicOf(manifest, 'edge-records');
    const text = (s: string | null) => (s === null ? null : Buffer.from(s, 'base64').toString('utf8'));
    const byKey = new Map(t.expected.map((r) => [text(r.key), r]));
    expect(byKey.get('tombstone')?.value).toBeNull();
    expect(byKey.get('empty value')?.value).toBe('');
    expect(byKey.get('')?.value).toBe(Buffer.from('empty key').toString('base64'));
    expect(t.expected.some((r) => r.key === null && r.value === null)).toBe(true);
    expect(text(byKey.get('ключ-🔑-キー')?.value ?? null)).toBe('значение ✓ 値');
    const headers = byKey.get('many headers')!.headers;
    expect(headers).toHaveLength(40);
    expect(headers.filter(([name]) => name === 'h0')).toHaveLength(5);
    expect(headers).toContainEqual(['null-value', null]);
    expect(headers).toContainEqual(['empty-value', '']);
    expect(byKey.get('old timestamp')?.timestamp).toBe(1_000_000_000_000);
    expect(byKey.get('epoch timestamp')?.timestamp).toBe(0);
  });

  // Kafka's own consumer, in a process of its own, must see exactly the expected positions: this is what makes
  // the manifest a golden answer independently of Tributary's reader.
  it('matches what kafka-console-consumer sees with read_committed, position for position', async () => {
    const results = await inBatches(manifest.topics, 5, async (t) => ({ t, seen: await readWithConsoleConsumer({ brokers, topic: t.topic }) }));
    for (const { t, seen } of results) {
      expect(seen.count, t.topic).toBe(t.expected.length);
      const expected = new Set(t.expected.map(position));
      const got = new Set(seen.positions.map(position));
      const missing = [...expected].filter((p) => !got.has(p));
      const extra = [...got].filter((p) => !expected.has(p));
      expect({ topic: t.topic, missing, extra }).toEqual({ topic: t.topic, missing: [], extra: [] });
    }
  }, 120_000);
});

describe('writeJavaCorpus failures', () => {
  it('reports a Java tool that fails with its exit status and last output', async () => {
    const error = await writeJavaCorpus({ brokers: ['not a broker'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRuntimeError);
    expect((error as KafkaRuntimeError).message).toMatch(/CorpusWriter write exited with status 1[\s\S]*bootstrap/);
  });

  it('kills the Java tools by pid at the deadline and when aborted', async () => {
    const before = liveProcessCount();
    // Nothing listens on port 1: the writer waits for a broker until it is killed.
    const late = await writeJavaCorpus({ brokers: ['127.0.0.1:1'], timeoutMs: 4_000 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: ErrorCodes.TIMEOUT });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 2_000);
    const aborted = await writeJavaCorpus({ brokers: ['127.0.0.1:1'], signal: controller.signal }).catch((e: unknown) => e);
    expect(aborted).toMatchObject({ code: ErrorCodes.ABORTED });
    expect(liveProcessCount()).toBe(before);
  });
});

/** Run `fn` over `items`, at most `width` at a time: each console consumer is a JVM, and the machine has two cores. */
async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return results;
}
