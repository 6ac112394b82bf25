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

/** Every benchmark, in run order: later suites use the anchors measured by earlier ones. */
const SUITES: Suite[] = [broker, baseline, producer, codec, consumer, roundTrip, streams, commands];

const USAGE = `Usage: pnpm bench [suite...] [--scale N] [--out docs/benchmarks.md]
Suites: ${SUITES.map((s) => s.name).join(', ')} (default: all; baseline always runs first, its figures are the anchors)`;

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
      await suite.run(ctx);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
