import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureKafkaJars, findJava, provideKafka } from '@tributary/test-kit';
import type { BenchContext, Suite } from './context.js';
import type { Figure } from './figures.js';
import { describeMachine, renderRun, writeReport } from './report.js';
import { baseline } from './suites/baseline.js';
import { broker } from './suites/broker.js';
import { codec } from './suites/codec.js';
import { commands } from './suites/commands.js';
import { consumer } from './suites/consumer.js';
import { producer } from './suites/producer.js';
import { roundTrip } from './suites/round-trip.js';
import { streams } from './suites/streams.js';

/** Every benchmark, in run order; each measures its own anchors in the same process as its figures. */
const SUITES: Suite[] = [broker, baseline, producer, codec, consumer, roundTrip, streams, commands];

const USAGE = `Usage: pnpm bench [suite...] [--scale N] [--out docs/benchmarks.md]
Suites: ${SUITES.map((s) => s.name).join(', ')} (default: all; baseline always runs first; each suite but broker runs in a Node process of its own)`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { scale: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return void console.log(USAGE);
  const unknown = positionals.filter((p) => !SUITES.some((s) => s.name === p));
  if (unknown.length > 0) throw new Error(`Unknown suite(s) ${unknown.join(', ')}.\n${USAGE}`);
  const chosen = SUITES.filter((s) => positionals.length === 0 || positionals.includes(s.name) || s.name === 'baseline');
  const log = (line: string) => console.log(`[bench] ${line}`);
  const started = Date.now();
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars({ log })]);
  // Throughput runs use the full JIT (fastStart off), unlike functional tests.
  const endpoint = await provideKafka({ fastStart: false, log });
  const figures: Figure[] = [];
  const ctx: BenchContext = {
    brokers: endpoint.brokers,
    brokerPid: endpoint.cluster?.nodes[0]?.pid,
    cluster: endpoint.cluster,
    java,
    classpath: jars.classpath,
    kafkaVersion: jars.kafkaVersion,
    scale: Number(values.scale ?? 1),
    figures,
    log,
    find: (suite, name) => figures.find((f) => f.suite === suite && f.name === name),
  };
  try {
    for (const suite of chosen) {
      log(`--- ${suite.title}`);
      // The broker suite measures the launcher's own cluster; every other suite runs in a fresh Node process.
      if (suite.name === 'broker') await suite.run(ctx);
      else figures.push(...(await runInChild(suite, ctx)));
    }
  } finally {
    await endpoint.stop();
  }
  const info = {
    date: new Date().toISOString(),
    machine: describeMachine(java),
    kafkaVersion: jars.kafkaVersion,
    broker: endpoint.source === 'external' ? `external cluster ${endpoint.brokers.join(',')}` : `one node started by the ${endpoint.source} launcher`,
    durationSeconds: (Date.now() - started) / 1000,
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
  };
  const section = renderRun(info, figures, new Map(SUITES.map((s) => [s.name, s.title])));
  writeReport(values.out ?? 'docs/benchmarks.md', section, info, figures);
  console.log(`\n${section}`);
}

/** What a suite's own process is told of the run: the context, less what only the parent holds. */
interface WorkerContext {
  suite: string;
  brokers: string[];
  brokerPid?: number;
  java: string;
  classpath: string;
  kafkaVersion: string;
  scale: number;
  out: string;
}

const WORKER_ENV = 'TRIBUTARY_BENCH_WORKER';

/**
 * Run one suite in a Node process of its own, as JMH forks a JVM per benchmark: V8's type feedback, optimised
 * code and heap are then the suite's own, not shaped by the suites before it. (In one process, replay read 132
 * thousand events/s after the producer and codec suites and 172 thousand alone, while its raw kafkajs anchor read
 * 138 thousand both times: a figure should not depend on which suites ran before it.) The anchors a suite compares
 * with run in the same process as its own figures, as before.
 */
async function runInChild(suite: Suite, ctx: BenchContext): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-bench-'));
  const out = join(dir, 'figures.json');
  const worker: WorkerContext = { suite: suite.name, brokers: ctx.brokers, brokerPid: ctx.brokerPid, java: ctx.java, classpath: ctx.classpath, kafkaVersion: ctx.kafkaVersion, scale: ctx.scale, out };
  try {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], { stdio: 'inherit', env: { ...process.env, [WORKER_ENV]: JSON.stringify(worker) } });
    const forward = () => child.kill('SIGTERM');
    process.once('SIGTERM', forward);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    }).finally(() => process.off('SIGTERM', forward));
    if (code !== 0) throw new Error(`The ${suite.name} suite failed (its process exited with code ${code})`);
    return JSON.parse(await readFile(out, 'utf8')) as Figure[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** In a suite's own process: run it with the parent's context and write its figures where the parent reads them. */
async function worker(spec: WorkerContext): Promise<void> {
  const suite = SUITES.find((s) => s.name === spec.suite);
  if (!suite) throw new Error(`Unknown suite ${spec.suite}`);
  const figures: Figure[] = [];
  const ctx: BenchContext = {
    brokers: spec.brokers,
    brokerPid: spec.brokerPid,
    java: spec.java,
    classpath: spec.classpath,
    kafkaVersion: spec.kafkaVersion,
    scale: spec.scale,
    figures,
    log: (line: string) => console.log(`[bench] ${line}`),
    find: (name, figure) => figures.find((f) => f.suite === name && f.name === figure),
  };
  await suite.run(ctx);
  await writeFile(spec.out, JSON.stringify(figures));
}

const workerSpec = process.env[WORKER_ENV];
(workerSpec === undefined ? main() : worker(JSON.parse(workerSpec) as WorkerContext)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
