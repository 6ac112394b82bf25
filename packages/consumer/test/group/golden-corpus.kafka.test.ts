// The consumer on the golden corpus: records that Kafka's own Java clients wrote (every codec, a zstd batch of
// 3 MiB, transactions with aborts, edge records, the console producer). They carry no Tributary headers, so they
// are not events: a group dead-letters each of them at once as undecodable (DECODE_FAILED, attempts 0, see
// RecordProcessor), and a replay stops at the first one. What this proves is that every batch is decoded on the
// way: no partition stops on a batch, the group commits every partition past its last record, and every committed
// record (and no aborted one) is accounted for in the dead-letter topics, by position. The replay source under
// replay() reads each compressed topic's records exactly.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { isTributaryError, type StoredRecord } from '@tributary/core';
import { readToEnd, type ReadRecord } from '@tributary/kafka';
import { createTopics, randomGroup, writeJavaCorpus, type CorpusManifest, type CorpusRecord, type CorpusScenario, type CorpusTopic } from '@tributary/test-kit';
import { ConsumerGroup, DeadLetterHeaders, kafkaReplaySource, replay, type ConsumerLogger, type PartitionLag, type ReplaySource } from '../../src/index.js';
import { until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');

const SCENARIOS: CorpusScenario[] = [
  'codec-none', 'codec-gzip', 'codec-snappy', 'codec-lz4', 'codec-zstd', 'zstd-large-batch', 'console-lz4', 'console-snappy', 'transactions', 'edge-records',
];
const COMPRESSED: CorpusScenario[] = ['codec-gzip', 'codec-snappy', 'codec-lz4', 'codec-zstd', 'zstd-large-batch', 'console-lz4', 'console-snappy'];

/** Messages that mean a partition could not be read or could not progress. */
const TROUBLE = /stalled|fetch|paused|failed|crashed/i;

interface LogLine {
  level: 'warn' | 'error';
  msg: string;
  obj: Record<string, unknown>;
}

function capturingLogger(lines: LogLine[]): ConsumerLogger {
  return { debug() {}, info() {}, warn: (obj, msg) => void lines.push({ level: 'warn', msg, obj }), error: (obj, msg) => void lines.push({ level: 'error', msg, obj }) };
}

const position = (r: { partition: number; offset: string }) => `${r.partition}@${r.offset}`;


const b64 = (b: Buffer | null) => (b === null ? null : b.toString('base64'));

function topicOf(manifest: CorpusManifest, scenario: CorpusScenario): CorpusTopic {
  const t = manifest.topics.find((x) => x.scenario === scenario);
  if (!t) throw new Error(`no ${scenario} topic in the corpus`);
  return t;
}

/** Missing, extra (aborted ones apart), aborted and duplicate positions, each listed; all empty when exact. */
function compare(t: CorpusTopic, positions: readonly string[]) {
  const expected = new Set(t.expected.map(position));
  const aborted = new Set(t.aborted.map(position));
  const counts = new Map<string, number>();
  for (const p of positions) counts.set(p, (counts.get(p) ?? 0) + 1);
  return {
    topic: t.topic,
    missing: [...expected].filter((p) => !counts.has(p)),
    extra: [...counts.keys()].filter((p) => !expected.has(p) && !aborted.has(p)),
    aborted: [...counts.keys()].filter((p) => aborted.has(p)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([p]) => p),
  };
}

const exact = (topic: string) => ({ topic, missing: [], extra: [], aborted: [], duplicates: [] });

/** Every record of `topic` through a replay source, partition by partition, as replay() reads its range. */
async function readThrough(source: ReplaySource, topic: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  const partitions = await source.partitionCount(topic);
  for (let partition = 0; partition < partitions; partition++) {
    const { low, high } = await source.range(topic, partition);
    for (let next = low; next < high; ) {
      const got = await source.read(topic, partition, next, 500);
      for (const r of got.records) if (r.offset.offset < high) out.push(r);
      if (got.next <= next) throw new Error(`${topic}:${partition} read nothing at ${next}, below its end ${high}`);
      next = got.next;
    }
  }
  return out;
}

describe('a consumer group and replay on records written by Kafka\'s own clients', () => {
  let manifest: CorpusManifest;
  const logs: LogLine[] = [];
  let group: ConsumerGroup;
  let handled = 0;
  let groupMs = 0;
  const letters = new Map<string, ReadRecord[]>();
  let lags: PartitionLag[] = [];
  /** One past the last record a read_committed reader sees in a partition: where the group's commit must reach. */
  const endOfRecords = (topic: string, partition: number) => {
    const offsets = manifest.topics.find((t) => t.topic === topic)!.expected.filter((r) => r.partition === partition).map((r) => BigInt(r.offset));
    return offsets.reduce((a, b) => (b > a ? b : a), -1n) + 1n;
  };

  beforeAll(async () => {
    manifest = await writeJavaCorpus({ brokers, attempts: 2 });
    const topics = SCENARIOS.map((s) => topicOf(manifest, s).topic);
    await createTopics(brokers, topics.map((topic) => ({ topic: `${topic}.DLT`, numPartitions: 1 })));
    const partitions = SCENARIOS.reduce((n, s) => n + topicOf(manifest, s).partitions, 0);
    group = new ConsumerGroup({
      brokers, groupId: randomGroup('golden'), topics, handlers: { '#': () => void handled++ },
      partitionsConcurrently: partitions, fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: capturingLogger(logs),
    });
    const started = Date.now();
    await group.start();
    try {
      const trouble = () => logs.filter((l) => TROUBLE.test(l.msg)).map((l) => `${l.level} ${l.msg}: ${JSON.stringify(l.obj)}`);
      // Settled and committed through the end of every partition, the transaction markers after its last record
      // included.
      await until('every corpus record settled and committed', async () => {
        if (trouble().length > 0) throw new Error(`the group reported trouble: ${trouble().slice(0, 5).join('; ')}`);
        return (await group.lag()).every((p) => p.committed !== undefined && p.lag === 0n);
      }, 150_000).catch(async (error: unknown) => {
        const behind = (await group.lag()).filter((p) => p.committed === undefined || p.committed < endOfRecords(p.topic, p.partition));
        throw new Error(`${(error as Error).message}; counters ${JSON.stringify(group.counters)}; behind: ${behind.map((p) => `${p.topic}:${p.partition}@${p.committed}`).join(', ')}`, { cause: error });
      });
      lags = await group.lag();
      groupMs = Date.now() - started;
    } finally {
      await group.stop();
    }
    for (const topic of topics) letters.set(topic, await readToEnd({ brokers }, `${topic}.DLT`));
  }, 300_000);

  it('dead-letters every committed record as undecodable and handles, filters or retries none', () => {
    console.log(`the group settled ${group.counters.deadLettered} corpus records in ${groupMs} ms`);
    const expected = SCENARIOS.reduce((n, s) => n + topicOf(manifest, s).expected.length, 0);
    expect(group.counters).toEqual({ handled: 0, filtered: 0, retried: 0, deadLettered: expected });
    expect(handled).toBe(0);
    expect(logs.filter((l) => TROUBLE.test(l.msg))).toEqual([]);
  });

  it('commits every partition past its last record and the transaction markers after it: lag 0', () => {
    // As Kafka's Java consumer commits its position: a partition whose log ends with markers (the transactions
    // topic here) is committed past them, not left with the markers as lag.
    const transactions = topicOf(manifest, 'transactions').topic;
    const markerEnded = lags.filter((p) => p.topic === transactions && p.committed! > endOfRecords(p.topic, p.partition));
    expect(markerEnded.length).toBeGreaterThan(0);
    expect(lags.filter((p) => p.lag !== 0n || p.committed !== p.high)).toEqual([]);
    expect(lags.every((p) => p.committed! >= endOfRecords(p.topic, p.partition))).toBe(true);
  });

  it.each(SCENARIOS)('%s: each committed record in the dead-letter topic once, as it was read, naming its position', (scenario) => {
    const t = topicOf(manifest, scenario);
    const dead = letters.get(t.topic)!;
    const header = (r: ReadRecord, name: string) => r.headers[name]?.toString();
    const dltNames = new Set<string>(Object.values(DeadLetterHeaders));
    // Every original header survives, null values and repeated names included, a name's values in order (the
    // writer sends a name's values together, so only the order across names may differ).
    const byName = (list: ReadonlyArray<readonly [string, string | null]>) => {
      const out: Record<string, Array<string | null>> = {};
      for (const [name, value] of list) (out[name] ??= []).push(value);
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    };
    const originalHeaders = (r: ReadRecord) => byName((r.headerList ?? Object.entries(r.headers)).filter(([name]) => !dltNames.has(name)).map(([name, value]) => [name, value === null ? null : value.toString('base64')] as const));
    expect(compare(t, dead.map((r) => `${header(r, DeadLetterHeaders.partition)}@${header(r, DeadLetterHeaders.offset)}`))).toEqual(exact(t.topic));
    const byPosition = new Map<string, CorpusRecord>(t.expected.map((r) => [position(r), r]));
    const wrong: string[] = [];
    for (const r of dead) {
      const at = `${header(r, DeadLetterHeaders.partition)}@${header(r, DeadLetterHeaders.offset)}`;
      const original = byPosition.get(at)!;
      const why = [
        header(r, DeadLetterHeaders.topic) === t.topic ? '' : 'origin topic',
        header(r, DeadLetterHeaders.errorCode) === 'DECODE_FAILED' ? '' : `error code ${header(r, DeadLetterHeaders.errorCode)}`,
        header(r, DeadLetterHeaders.attempts) === '0' ? '' : 'attempts',
        header(r, DeadLetterHeaders.timestamp) === String(original.timestamp) ? '' : 'timestamp',
        b64(r.key) === original.key ? '' : 'key',
        // A tombstone stays a tombstone: sent back to its topic, it still deletes.
        b64(r.value) === original.value ? '' : `value ${b64(r.value)?.slice(0, 20)} for ${original.value?.slice(0, 20)}`,
        JSON.stringify(originalHeaders(r)) === JSON.stringify(byName(original.headers)) ? '' : `headers ${JSON.stringify(originalHeaders(r)).slice(0, 300)} for ${JSON.stringify(byName(original.headers)).slice(0, 300)}`,
      ].filter(Boolean);
      if (why.length > 0) wrong.push(`${at}: ${why.join(', ')}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('replays none of these records as events: replay() stops at the first with DECODE_FAILED, naming the missing header', async () => {
    const t = topicOf(manifest, 'codec-zstd');
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of replay({ source: kafkaReplaySource({ brokers }), topic: t.topic })) seen.push(event);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([]);
    expect(isTributaryError(error, 'DECODE_FAILED')).toBe(true);
    expect((error as Error).message).toContain('"tributary-category" header');
    expect((error as Error).message).toContain(t.topic);
    expect((error as Error).message).not.toMatch(/record batch/);
  });

  it.each(COMPRESSED)('%s: the replay source reads exactly the committed records, as they were', async (scenario) => {
    const t = topicOf(manifest, scenario);
    const source = kafkaReplaySource({ brokers });
    let records: StoredRecord[];
    try {
      records = await readThrough(source, t.topic);
    } finally {
      await source.close?.();
    }
    expect(compare(t, records.map((r) => `${r.offset.partition}@${r.offset.offset}`))).toEqual(exact(t.topic));
    expect(records).toHaveLength(t.expected.length);
    const byPosition = new Map(t.expected.map((r) => [position(r), r]));
    // A null value comes out of a replay source as empty bytes, as the event decoder takes it.
    const wrong = records.filter((r) => {
      const original = byPosition.get(`${r.offset.partition}@${r.offset.offset}`)!;
      return b64(r.record.key) !== original.key || r.record.value.toString('base64') !== (original.value ?? '');
    });
    expect(wrong.map((r) => r.offset.toString()).slice(0, 20)).toEqual([]);
  });
});
