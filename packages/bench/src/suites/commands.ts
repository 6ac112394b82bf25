import type { BenchContext, Suite } from '../context.js';
import type { Figure } from '../figures.js';
import { measure, median } from '../measure.js';
import { createTopic } from '../topics.js';
import { consumeCommandsRaw, startRawChain, type RawCommandsRun } from '../raw-kafkajs-commands.js';
import { produceRaw, type RawMessage } from '../raw-kafkajs.js';
import { summarize } from '../round-trip.js';
import { startGroupSendBed } from '../tributary-channels.js';
import { createCommandsTopic, echoRecords, runProcessor, startChainBed, type ProcessorRun, type ProcessorVariant } from '../tributary-commands.js';

const SUITE = 'commands';
/** Every benchmark workload uses 3 partitions. */
const PARTITIONS = 3;
/** The value of each echo command record (its JSON envelope), about. */
const PAYLOAD_BYTES = 100;
const TIMEOUT_MS = 120_000;
/** Rounds of each throughput case, interleaved with the anchor's, so drift on a shared machine touches both alike. */
const ROUNDS = 3;
/** Follow-ups in one chain: the command sent re-emits itself ten times. */
const CHAIN_DEPTH = 10;
const RAW_NAME = 'raw kafkajs group, decode + commit';
const RAW_TXN_NAME = 'raw kafkajs, a transaction per batch';
const RAW_CHAIN_NAME = 'raw kafkajs chain';

/** Echo commands on the topic of each throughput case at scale 1, sized so a run takes a few seconds on two cores. */
const THROUGHPUT_CASES: Array<{ variant: ProcessorVariant; count: number; least: number; how: string }> = [
  { variant: 'no store', count: 20_000, least: 2000, how: 'dedupe: false; offsets committed every second (the group default)' },
  { variant: 'memory store', count: 20_000, least: 2000, how: "dedupe: 'memory'; offsets committed every second" },
  { variant: 'kafka store', count: 20_000, least: 2000, how: "dedupe: 'kafka' (the default): each command's id written to the compacted <topic>.dedupe topic after it ran (not awaited), the ids added meanwhile in one write" },
  { variant: 'transactions', count: 10_000, least: 1000, how: "transactions with dedupe: 'kafka' (the default store): one Kafka transaction per batch, holding the dedupe marks (and follow-ups) of the commands run while the last one committed, and their offsets" },
];

/** The chain cases: the processor as it comes (Kafka store), and with transactions. */
const CHAIN_CASES: ProcessorVariant[] = ['kafka store', 'transactions'];

const scaled = (n: number, scale: number, least: number) => Math.max(least, Math.round(n * scale));

interface ThroughputRound {
  processor: ProcessorRun;
  raw: RawCommandsRun;
  /** With transactions: raw kafkajs committing each fetched batch in a transaction, as the processor does. */
  rawTransactions?: RawCommandsRun;
  cpu: { client: number; broker?: number };
}

/** A new topic filled with `records`, read by raw kafkajs (each way the variant has), then by a processor in a new group. */
async function throughputRound(ctx: BenchContext, variant: ProcessorVariant, records: RawMessage[]): Promise<ThroughputRound> {
  const topic = await createCommandsTopic(ctx.brokers, 'bench-commands', PARTITIONS);
  await produceRaw(ctx.brokers, topic, records);
  const raw = await consumeCommandsRaw(ctx.brokers, topic, records.length, TIMEOUT_MS);
  const rawTransactions = variant === 'transactions' ? await consumeCommandsRaw(ctx.brokers, topic, records.length, TIMEOUT_MS, { markTopic: await createTopic(ctx, 'bench-commands-raw-marks', 1) }) : undefined;
  const { result, cpu } = await measure(() => runProcessor(ctx.brokers, topic, records.length, variant, TIMEOUT_MS), ctx.brokerPid);
  return { processor: result, raw, ...(rawTransactions ? { rawTransactions } : {}), cpu };
}

/** Commands/s through the processor running `echo`, one figure per variant, beside raw kafkajs on the same records. */
async function throughput(ctx: BenchContext): Promise<void> {
  for (const c of THROUGHPUT_CASES) {
    const count = scaled(c.count, ctx.scale, c.least);
    const records = await echoRecords(count, PAYLOAD_BYTES);
    const rounds: ThroughputRound[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      ctx.log(`commands: echo x ${count}, ${c.variant}: round ${round} of ${ROUNDS}, raw kafkajs${c.variant === 'transactions' ? ' (plain, then transactional)' : ''}, then the processor`);
      rounds.push(await throughputRound(ctx, c.variant, records));
    }
    const rate = (seconds: number) => count / seconds;
    const processorRates = rounds.map((r) => rate(r.processor.seconds));
    const rawRates = rounds.map((r) => rate(r.raw.seconds));
    const mid = [...rounds].sort((a, b) => a.processor.seconds - b.processor.seconds)[rounds.length >> 1]!;
    const rawTransactionRates = rounds.flatMap((r) => (r.rawTransactions ? [rate(r.rawTransactions.seconds)] : []));
    const transactional = rawTransactionRates.length > 0
      ? ` Second anchor: the same raw kafkajs consumer with a transactional producer, each batch kafkajs fetched in a transaction of its own (a mark record keyed by each message's id, sendOffsets, commit), ${rawTransactionRates.map((x) => x.toFixed(1)).join(', ')} messages/s by round.`
      : '';
    ctx.figures.push({
      suite: SUITE,
      name: `processor, echo, ${c.variant}`,
      value: median(processorRates),
      unit: 'commands/s',
      anchors: [{ name: RAW_NAME, value: median(rawRates) }, ...(rawTransactionRates.length > 0 ? [{ name: RAW_TXN_NAME, value: median(rawTransactionRates) }] : [])],
      cpu: mid.cpu,
      notes:
        `${c.how}. A pre-filled topic of ${count} echo commands (~${PAYLOAD_BYTES} B JSON envelopes, ${PARTITIONS} partitions), measured from processor start() ` +
        `(dedupe store read, writers connected, group join) to the last command executed; anchor: a raw kafkajs consumer in a fresh group on the same records, ` +
        `from connect() to the last record, JSON.parse of each envelope, offsets resolved and committed after each batch. ` +
        `Median of ${ROUNDS} interleaved rounds (ratio by round: ${rounds.map((r, i) => (processorRates[i]! / rawRates[i]!).toFixed(2)).join(', ')}); ` +
        `from the first assignment (raw: from the group join): ${median(rounds.map((r) => rate(r.processor.afterAssignSeconds))).toFixed(0)} vs ${median(rounds.map((r) => rate(r.raw.afterJoinSeconds))).toFixed(0)} commands/s; ` +
        `CPU of the median run, including stop().${transactional}`,
    });
  }
}

/** Discard a warm-up, then time chains one after another for a bounded window (and at least a few chains). */
async function timeChains(ctx: BenchContext, chain: (depth: number) => Promise<number>): Promise<{ ms: number[]; cpu: { client: number; broker?: number } }> {
  // Connections, the JIT, and a group that has just joined: the first chains are discarded.
  for (let i = 0; i < 2; i++) await chain(CHAIN_DEPTH);
  // Bounded by time, but with enough chains for a p99 worth the name (about a second a chain under load).
  const windowMs = scaled(5000, ctx.scale, 2000);
  const least = 8;
  const ms: number[] = [];
  const { cpu } = await measure(async () => {
    const until = performance.now() + windowMs;
    while (performance.now() < until || ms.length < least) ms.push(await chain(CHAIN_DEPTH));
  }, ctx.brokerPid);
  return { ms, cpu };
}

/** Each chain's milliseconds from the send call to its last follow-up executed, through the processor. */
async function chainLatencies(ctx: BenchContext, variant: ProcessorVariant): Promise<{ ms: number[]; cpu: { client: number; broker?: number } }> {
  const bed = await startChainBed(ctx.brokers, PARTITIONS, variant, TIMEOUT_MS);
  try {
    return await timeChains(ctx, bed.chain);
  } finally {
    await bed.close();
  }
}

/** The same chains through raw kafkajs (consume, send the next, commit): the floor of ten Kafka hops. */
async function rawChainLatencies(ctx: BenchContext): Promise<number[]> {
  const topic = await createTopic(ctx, 'bench-commands-raw-chain', PARTITIONS);
  const bed = await startRawChain(ctx.brokers, topic, TIMEOUT_MS);
  try {
    return (await timeChains(ctx, bed.chain)).ms;
  } finally {
    await bed.close();
  }
}

/** p50 and p99 of a chain ten deep, one chain at a time, with and without transactions, beside raw kafkajs. */
async function chains(ctx: BenchContext): Promise<void> {
  ctx.log(`commands: chains of ${CHAIN_DEPTH} follow-ups, raw kafkajs`);
  const raw = summarize(await rawChainLatencies(ctx));
  const results = new Map<ProcessorVariant, number[]>();
  for (const variant of CHAIN_CASES) {
    ctx.log(`commands: chains of ${CHAIN_DEPTH} follow-ups, ${variant}`);
    const { ms, cpu } = await chainLatencies(ctx, variant);
    results.set(variant, ms);
    const s = summarize(ms);
    const plain = variant === 'transactions' ? summarize(results.get('kafka store') ?? []) : undefined;
    const anchors = (pick: (x: { p50: number; p99: number }) => number) => [
      { name: RAW_CHAIN_NAME, value: pick(raw) },
      ...(plain ? [{ name: 'the same chain without transactions', value: pick(plain) }] : []),
    ];
    const rows: Figure[] = [
      {
        suite: SUITE,
        name: `chain of ${CHAIN_DEPTH} follow-ups, ${variant}: p50`,
        value: s.p50,
        unit: 'ms',
        anchors: anchors((x) => x.p50),
        cpu,
        notes:
          `from sendMessages() of a command that re-emits itself with a counter (as the processor test's Countdown) to its ${CHAIN_DEPTH}th follow-up executed: ` +
          `${CHAIN_DEPTH + 1} commands run, each follow-up published by the one before and read back by the processor (${THROUGHPUT_CASES.find((c) => c.variant === variant)!.how}); ` +
          `${ms.length} chains one after another after 2 discarded, ${PARTITIONS} partitions; mean ${(s.mean / (CHAIN_DEPTH + 1)).toFixed(2)} ms a hop. ` +
          `Anchor: the same chains with a raw kafkajs group that decodes each command and sends the next (acks all, awaited), committing per batch (mean ${(raw.mean / (CHAIN_DEPTH + 1)).toFixed(2)} ms a hop); lower is better`,
      },
      { suite: SUITE, name: `chain of ${CHAIN_DEPTH} follow-ups, ${variant}: p99`, value: s.p99, unit: 'ms', anchors: anchors((x) => x.p99), notes: `max ${s.max.toFixed(1)} ms, mean ${s.mean.toFixed(1)} ms over ${ms.length} chains (with this few, p99 is close to the max)` },
    ];
    ctx.figures.push(...rows);
  }
}

/** The group of the fan-out case, and the channel layers (processes) that own its members. */
const GROUP_CHANNELS = 100;
const GROUP_OWNERS = 4;

/** Messages/s and delivery latency of `groupSend` to a group of 100 channels, one send at a time. */
async function groupSends(ctx: BenchContext): Promise<void> {
  ctx.log(`commands: groupSend to a group of ${GROUP_CHANNELS} channels owned by ${GROUP_OWNERS} channel layers`);
  const bed = await startGroupSendBed({ brokers: ctx.brokers, channels: GROUP_CHANNELS, receivers: GROUP_OWNERS, timeoutMs: TIMEOUT_MS });
  try {
    // Connections, the JIT, and the owners' first requests: discarded.
    await bed.run(scaled(1000, ctx.scale, 500));
    const { result: r, cpu } = await measure(() => bed.run(scaled(4000, ctx.scale, 1500)), ctx.brokerPid);
    const s = summarize(r.latencies);
    const name = `groupSend to ${GROUP_CHANNELS} channels`;
    ctx.figures.push(
      {
        suite: SUITE,
        name: `${name}: messages/s`,
        value: r.messagesPerSec,
        unit: 'messages/s',
        anchors: [],
        cpu,
        notes:
          `channel deliveries taken by receive() per second (${(r.messagesPerSec / GROUP_CHANNELS).toFixed(0)} groupSends/s): ${r.groupSends} groupSends one at a time (each resolves once every member's owner took the message) to ${GROUP_CHANNELS} channels ` +
          `owned by ${GROUP_OWNERS} channel layers with a messaging hub each (as ${GROUP_OWNERS} processes, here in one), sent from a fifth; every member reached, none failed; after a discarded warm-up`,
      },
      { suite: SUITE, name: `${name}: p99 delivery`, value: s.p99, unit: 'ms', anchors: [], notes: `from the groupSend call to the message taken by each channel's waiting receive(), ${r.latencies.length} deliveries; p50 ${s.p50.toFixed(1)} ms, max ${s.max.toFixed(1)} ms; lower is better` },
    );
  } finally {
    await bed.close();
  }
}

/** Command messages (issue 11): the processor's throughput per dedupe setting, a chain's latency, and group fan-out. */
export const commands: Suite = {
  name: 'commands',
  title: 'Command messages',
  async run(ctx) {
    await throughput(ctx);
    await chains(ctx);
    await groupSends(ctx);
  },
};
