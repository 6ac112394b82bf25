// Tributary's reader against the golden corpus: records that Kafka's own Java clients wrote (every codec, a zstd
// batch of 3 MiB, interleaved transactions with aborts over 1 MiB, edge records, the console producer), read in a
// process that loaded no producer (test/fixtures/read-corpus.ts), and checked against the manifest of what the
// brokers acknowledged: every committed record exactly once, at its offset, with its key, value, timestamp and
// headers; no record of an aborted transaction.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { writeJavaCorpus, type CorpusManifest, type CorpusRecord, type CorpusScenario, type CorpusTopic } from '@tributary/test-kit';
import { readToEnd } from '../../src/index.js';
import type { PrintedRecord, ReadSummary, TopicResult } from '../fixtures/read-corpus.js';

const brokers = inject('kafkaBrokers');
const reader = fileURLToPath(new URL('../fixtures/read-corpus.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

const SCENARIOS: CorpusScenario[] = [
  'codec-none', 'codec-gzip', 'codec-snappy', 'codec-lz4', 'codec-zstd', 'zstd-large-batch', 'transactions', 'edge-records', 'console-lz4', 'console-snappy',
];

interface ReaderRun {
  code: number | null;
  stderr: string;
  ms: number;
  results: Map<string, TopicResult>;
  summary: ReadSummary | undefined;
}

/** Run the consume-only reader process on `topics`; its stdout is one JSON line per topic, then a summary. */
function runReader(topics: string[], timeoutMs = 120_000): Promise<ReaderRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', reader, '--brokers', brokers.join(','), ...topics], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const results = new Map<string, TopicResult>();
      let summary: ReadSummary | undefined;
      for (const line of Buffer.concat(out).toString('utf8').split('\n').filter(Boolean)) {
        const parsed = JSON.parse(line) as TopicResult | { summary: ReadSummary };
        if ('summary' in parsed) summary = parsed.summary;
        else results.set(parsed.topic, parsed);
      }
      resolve({ code, stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started, results, summary });
    });
  });
}

const position = (r: { partition: number; offset: string }) => `${r.partition}@${r.offset}`;


/** What differs between an expected record and the one read at its position: the names of the fields. */
function differences(expected: CorpusRecord, got: PrintedRecord): string[] {
  const out: string[] = [];
  if (got.key !== expected.key) out.push('key');
  if (got.value !== expected.value) out.push('value');
  if (got.timestamp !== String(expected.timestamp)) out.push(`timestamp ${got.timestamp} != ${expected.timestamp}`);
  // Every header, in the order written: null values and repeated names included.
  if (JSON.stringify(got.headers) !== JSON.stringify(expected.headers)) out.push(`headers ${JSON.stringify(got.headers).slice(0, 200)} != ${JSON.stringify(expected.headers).slice(0, 200)}`);
  return out;
}

/**
 * Every way a read of `t` can be wrong, each listed by position (`partition@offset`): expected records missing,
 * records the manifest does not hold (aborted ones apart), records read twice, records whose fields differ, and
 * offsets that do not increase within a partition. All empty when the read is right.
 */
function check(t: CorpusTopic, records: readonly PrintedRecord[]) {
  const expected = new Map(t.expected.map((r) => [position(r), r]));
  const aborted = new Set(t.aborted.map(position));
  const seen = new Map<string, number>();
  const last = new Map<number, bigint>();
  const notIncreasing: string[] = [];
  const mismatched: string[] = [];
  for (const r of records) {
    const at = position(r);
    seen.set(at, (seen.get(at) ?? 0) + 1);
    const offset = BigInt(r.offset);
    if (offset <= (last.get(r.partition) ?? -1n)) notIncreasing.push(`${at} after ${r.partition}@${last.get(r.partition)}`);
    last.set(r.partition, offset);
    const want = expected.get(at);
    const diff = want ? differences(want, r) : [];
    if (diff.length > 0) mismatched.push(`${at}: ${diff.join(', ')}`);
  }
  return {
    topic: t.topic,
    missing: [...expected.keys()].filter((at) => !seen.has(at)),
    extra: [...seen.keys()].filter((at) => !expected.has(at) && !aborted.has(at)),
    aborted: [...seen.keys()].filter((at) => aborted.has(at)),
    duplicates: [...seen].filter(([, n]) => n > 1).map(([at]) => at),
    mismatched: mismatched.slice(0, 20),
    notIncreasing: notIncreasing.slice(0, 20),
  };
}

const clean = (topic: string) => ({ topic, missing: [], extra: [], aborted: [], duplicates: [], mismatched: [], notIncreasing: [] });

function topicOf(manifest: CorpusManifest, scenario: CorpusScenario): CorpusTopic {
  const t = manifest.topics.find((x) => x.scenario === scenario);
  if (!t) throw new Error(`no ${scenario} topic in the corpus`);
  return t;
}

describe('the golden corpus, read by a process that loaded no producer', () => {
  let manifest: CorpusManifest;
  let run: ReaderRun;
  beforeAll(async () => {
    manifest = await writeJavaCorpus({ brokers, attempts: 2 });
    run = await runReader(manifest.topics.map((t) => t.topic));
  }, 240_000);

  it('imports @tributary/kafka and nothing else from Tributary or kafkajs', () => {
    // Its one other look outside: kafkajs' codec registry, through require's cache, to check it is left unused.
    const source = readFileSync(reader, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm), ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);
    expect(specifiers.filter((s) => !s.startsWith('node:'))).toEqual(['@tributary/kafka']);
  });

  it('reads every topic, and inflates every batch without kafkajs codecs', () => {
    expect(run.summary, run.stderr).toMatchObject({ topics: manifest.topics.length, failed: [], isolationLevel: 'read_committed', kafkajsCodecUses: 0 });
    // kafkajs' registry stays as kafkajs ships it: no KafkaClient registers codecs into it any more.
    expect(run.summary!.stubsAtStart).toEqual(['2', '3', '4']);
    expect(run.summary!.registeredByClient).toEqual([]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it.each(SCENARIOS)('%s: every committed record once, at its offset, as written; no aborted one', (scenario) => {
    const t = topicOf(manifest, scenario);
    const result = run.results.get(t.topic);
    expect(result?.error, `${t.topic} could not be read`).toBeUndefined();
    expect(check(t, result!.records!)).toEqual(clean(t.topic));
    expect(result!.records).toHaveLength(t.expected.length);
  });

  it('tells the isolation levels apart: read_uncommitted returns the aborted transactions too', async () => {
    const t = topicOf(manifest, 'transactions');
    const all = await readToEnd({ brokers }, t.topic, { isolationLevel: 'read_uncommitted' });
    const got = new Set(all.map((r) => `${r.partition}@${r.offset}`));
    const want = new Set([...t.expected, ...t.aborted].map(position));
    expect({ missing: [...want].filter((p) => !got.has(p)), extra: [...got].filter((p) => !want.has(p)) }).toEqual({ missing: [], extra: [] });
    expect(all).toHaveLength(t.expected.length + t.aborted.length);
    expect(t.aborted.length).toBeGreaterThan(2000);
  });

  it('reads the whole corpus in a few seconds', () => {
    console.log(`read ${manifest.topics.length} corpus topics in a separate process in ${run.ms} ms (corpus written in ${manifest.writeMs} ms)`);
    expect(run.ms).toBeLessThan(60_000);
  });
});
