import { DEFAULT_STREAM_PARTITIONS, type Streams } from '@tributary/streams';
import type { BenchContext, Suite } from '../context.js';
import type { Figure } from '../figures.js';
import { measure, median, medianRound } from '../measure.js';
import { consumeRaw } from '../raw-kafkajs.js';
import { kafkajsPartition, startRawOffsetReader, timeReadWithNewConsumer, type StoredOffset } from '../raw-kafkajs-streams.js';
import { summarize } from '../round-trip.js';
import { fanOut } from '../streams-gateway.js';
import { createStreamsBed, fillStreams, firstDelivery, firstDeliveryOfNewHub, listenUntil, openHub, type StreamsBed } from '../tributary-streams.js';

const SUITE = 'streams';
/** Every message (and header) is JSON of about this many bytes. */
const MESSAGE_BYTES = 100;
/** The log topic's partitions: the package's default layout. */
const PARTITIONS = DEFAULT_STREAM_PARTITIONS;
/** The kafkajs consumers' fetch wait: what the hub's own log reader waits (100 ms). */
const MAX_WAIT_MS = 100;
const TIMEOUT_MS = 60_000;
/** Rounds of each throughput case, interleaved with the anchor's, so drift on a shared machine touches both alike. */
const ROUNDS = 3;
const RAW_TAIL = 'raw kafkajs eachBatch';

const streamNames = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** Sample counts of the header case, scaled by --scale: listens on a running hub, and listens each with a new hub. */
function headerSamples(scale: number) {
  return { streams: Math.max(100, Math.round(400 * scale)), fresh: Math.max(10, Math.round(40 * scale)) };
}

/** Listen to each stream on a running hub, one after the other: the latencies, and where each header is. */
async function tributaryHeaders(hub: Streams, bed: StreamsBed, streams: string[]): Promise<{ ms: number[]; stored: StoredOffset[] }> {
  const ms: number[] = [];
  const stored: StoredOffset[] = [];
  for (const stream of streams) {
    const first = await firstDelivery(hub, stream, TIMEOUT_MS);
    if (first.delivery.action !== 'header') throw new Error(`stream ${stream} delivered ${first.delivery.action} first, not its header`);
    ms.push(first.ms);
    stored.push({ key: stream, partition: kafkajsPartition(bed.logTopic, stream, PARTITIONS), offset: first.delivery.position.offset });
  }
  return { ms, stored };
}

/** Read each stored header with one running raw kafkajs consumer that seeks, resumes, and pauses again. */
async function rawHeaders(bed: StreamsBed, stored: StoredOffset[]): Promise<number[]> {
  const reader = await startRawOffsetReader({ brokers: bed.brokers, topic: bed.logTopic, partitions: PARTITIONS, maxWaitTimeInMs: MAX_WAIT_MS, timeoutMs: TIMEOUT_MS });
  try {
    const ms: number[] = [];
    for (const at of stored) {
      const started = performance.now();
      await reader.read(at);
      ms.push(performance.now() - started);
    }
    return ms;
  } finally {
    await reader.close();
  }
}

/** A new hub, and a new raw kafkajs consumer, for each listen, interleaved: as a process that starts and listens. */
async function freshHeaders(bed: StreamsBed, stored: StoredOffset[]): Promise<{ tributary: number[]; raw: number[] }> {
  const tributary: number[] = [];
  const raw: number[] = [];
  for (const at of stored) {
    tributary.push((await firstDeliveryOfNewHub(bed, at.key, TIMEOUT_MS)).ms);
    raw.push(await timeReadWithNewConsumer({ brokers: bed.brokers, topic: bed.logTopic, maxWaitTimeInMs: MAX_WAIT_MS, timeoutMs: TIMEOUT_MS }, at));
  }
  return { tributary, raw };
}

/** Two rows (p50, p99) of a latency, each beside the anchor's; lower is better. */
function latencyFigures(name: string, ms: number[], anchorName: string, anchorMs: number[], extra: Partial<Figure> & { notes: string }): Figure[] {
  const t = summarize(ms);
  const a = summarize(anchorMs);
  return [
    { suite: SUITE, name: `${name}: p50`, value: t.p50, unit: 'ms', anchors: [{ name: anchorName, value: a.p50 }], ...extra },
    { suite: SUITE, name: `${name}: p99`, value: t.p99, unit: 'ms', anchors: [{ name: anchorName, value: a.p99 }], notes: `max ${t.max.toFixed(2)} ms (anchor ${a.max.toFixed(2)} ms); mean ${t.mean.toFixed(2)} ms (anchor ${a.mean.toFixed(2)} ms)` },
  ];
}

/** Time from `listen` to the stream's header: on a running hub (the figure), and on a new one. */
async function listenToHeader(ctx: BenchContext): Promise<void> {
  const n = headerSamples(ctx.scale);
  const bed = await createStreamsBed(ctx.brokers, PARTITIONS);
  const streams = streamNames('job', n.streams);
  const hub = await openHub(bed);
  let warm: Awaited<ReturnType<typeof tributaryHeaders>>;
  try {
    ctx.log(`streams: ${n.streams} streams of a header and 3 puts after it; a listen to each on a running hub`);
    await fillStreams(hub, streams, 3, MESSAGE_BYTES);
    warm = await tributaryHeaders(hub, bed, streams);
  } finally {
    await hub.closeHub();
  }
  ctx.log(`streams: raw kafkajs reads the ${n.streams} headers at their stored offsets`);
  const raw = await rawHeaders(bed, warm.stored);
  ctx.log(`streams: ${n.fresh} listens each with a new hub and a new raw kafkajs consumer`);
  const fresh = await freshHeaders(bed, warm.stored.slice(0, n.fresh));
  const rawName = 'raw kafkajs seek to the stored offset';
  ctx.figures.push(
    ...latencyFigures('listen to header, running hub', warm.ms, rawName, raw, {
      bound: { atMost: 20 },
      notes:
        `from the listen() call to the header reaching the listener's put(), ${warm.ms.length} listens one after another, each to another stream, hung up after; the hub reads headers from its copy of the compacted index. ` +
        `Anchor: the same ${raw.length} headers read by one running kafkajs consumer (own group, every partition assigned and paused, fetch wait ${MAX_WAIT_MS} ms) that seeks the header's partition to the header's stored offset, resumes it, and pauses it on the record; lower is better`,
    }),
    ...latencyFigures('listen to header, new hub', fresh.tributary, 'raw kafkajs new consumer, seek', fresh.raw, {
      notes:
        `${fresh.tributary.length} listens, each from createStreams() (connect, read the index) to the header; ` +
        `anchor: a new kafkajs consumer each time (connect, join its own group, seek to the stored offset after run(), fetch wait ${MAX_WAIT_MS} ms) to the record; interleaved; lower is better`,
    }),
  );
}

/** One read of a tail case's records: its rate, the CPU it took, and (listeners) how long the listen calls took. */
interface TailRound {
  rate: number;
  cpu: { client: number; broker?: number };
  listenMs?: number;
}

/**
 * How a case's records reach Tributary's readers: listeners on a hub, or clients of a gateway in front of it.
 * `seconds`, when given, is the read's own clock (leaving out connecting clients, say); else the whole call is timed.
 */
type TributaryRead = (hub: Streams, streams: string[], records: number) => Promise<{ deliveries: number; seconds?: number; listenMs?: number }>;

const listeners: TributaryRead = async (hub, streams, records) => ({ deliveries: records, ...(await listenUntil(hub, streams, records, TIMEOUT_MS)) });

/** Each round's records go through a new hub: started (connected, index read) before the clock starts. */
async function tributaryTail(ctx: BenchContext, bed: StreamsBed, streams: string[], records: number, read: TributaryRead): Promise<TailRound> {
  const hub = await openHub(bed);
  try {
    const { result, seconds, cpu } = await measure(() => read(hub, streams, records), ctx.brokerPid);
    return { rate: result.deliveries / (result.seconds ?? seconds), cpu, ...(result.listenMs === undefined ? {} : { listenMs: result.listenMs }) };
  } finally {
    await hub.closeHub();
  }
}

async function rawTail(ctx: BenchContext, bed: StreamsBed, records: number): Promise<TailRound> {
  const r = await consumeRaw(ctx.brokers, bed.logTopic, records);
  return { rate: records / r.afterJoinSeconds, cpu: { client: r.afterJoinCpu } };
}

interface TailRuns {
  tributary: TailRound[];
  raw: TailRound[];
  records: number;
  fillSeconds: number;
}

/**
 * Fill `streamCount` streams with a header and `puts` messages each, then read them all ROUNDS times: through
 * `read` on a new hub, and with raw kafkajs eachBatch in a new group over the same log topic.
 */
async function tailCase(ctx: BenchContext, label: string, streamCount: number, puts: number, read: TributaryRead = listeners): Promise<TailRuns> {
  const bed = await createStreamsBed(ctx.brokers, PARTITIONS);
  const streams = streamNames('tail', streamCount);
  const records = streamCount * (1 + puts);
  ctx.log(`streams: ${label}: putting ${records} records`);
  const filler = await openHub(bed);
  let fillSeconds: number;
  try {
    fillSeconds = (await measure(() => fillStreams(filler, streams, puts, MESSAGE_BYTES))).seconds;
  } finally {
    await filler.closeHub();
  }
  const runs: TailRuns = { tributary: [], raw: [], records, fillSeconds };
  for (let round = 1; round <= ROUNDS; round++) {
    ctx.log(`streams: ${label}: round ${round} of ${ROUNDS}: raw kafkajs eachBatch, then Tributary`);
    runs.raw.push(await rawTail(ctx, bed, records));
    runs.tributary.push(await tributaryTail(ctx, bed, streams, records, read));
  }
  return runs;
}

/** The case's figure: the median round's rate beside raw kafkajs' median, every round's ratio in the notes. */
function tailFigure(name: string, runs: TailRuns, how: string, target?: Figure['target']): Figure {
  const rate = median(runs.tributary.map((r) => r.rate));
  const rawRate = median(runs.raw.map((r) => r.rate));
  const mid = medianRound(runs.tributary, (r) => r.rate);
  const byRound = runs.tributary.map((r, i) => (r.rate / runs.raw[i]!.rate).toFixed(2)).join(', ');
  return {
    suite: SUITE, name, value: rate, unit: 'messages/s', anchors: [{ name: RAW_TAIL, value: rawRate }], ...(target ? { target } : {}), cpu: mid.cpu,
    notes:
      `${runs.records} records (headers and puts of ${MESSAGE_BYTES} B JSON) put before reading, by one hub in ${runs.fillSeconds.toFixed(1)} s, on a ${PARTITIONS}-partition log topic; ${how}; ` +
      `median of ${ROUNDS} interleaved rounds (ratio by round: ${byRound}), each with a new hub started before the clock; ` +
      `raw kafkajs: a new group, from its join to the last record, nothing done per record`,
  };
}

const listenHow = (runs: TailRuns, who: string) =>
  `${who}; from the first listen() call to the last delivery, every message decoded (listen calls took ${runs.tributary.map((r) => r.listenMs!.toFixed(0)).join(', ')} ms)`;

/**
 * Messages/s to a listener of one pre-filled stream (the issue's target: 0.9x raw kafkajs), and across 1,000
 * streams. Resolves with raw kafkajs' median rate over the one stream's records, for the gateway's figure.
 */
async function tails(ctx: BenchContext): Promise<{ rawRate: number; records: number }> {
  const one = await tailCase(ctx, "one stream's tail", 1, Math.round(50_000 * ctx.scale));
  const oneFigure = tailFigure("one stream's tail", one, listenHow(one, 'one listener; the records are in one partition'), { ratio: 0.9, anchor: RAW_TAIL });
  ctx.figures.push(oneFigure);
  const many = await tailCase(ctx, '1,000 streams', 1000, Math.max(5, Math.round(50 * ctx.scale)));
  ctx.figures.push(tailFigure('1,000 streams', many, listenHow(many, 'one listener on each of 1,000 streams, all in one hub')));
  return { rawRate: oneFigure.anchors[0]!.value, records: one.records };
}

/** Gateway clients of the fan-out case, each on a connection of its own. */
const GATEWAY_CLIENTS = 100;

/**
 * Deliveries/s from a stream gateway to 100 RemoteStream clients of one stream, beside raw kafkajs reading the
 * same records once. A few hundred records make a raw read of a few milliseconds, mostly its first fetch, so the
 * one stream's tail case's raw kafkajs rate (the same shape of records, many more of them) stands beside it.
 */
async function gatewayFanOut(ctx: BenchContext, oneStream: { rawRate: number; records: number }): Promise<void> {
  const read: TributaryRead = (hub, [stream], records) => fanOut(hub, stream!, GATEWAY_CLIENTS, records, TIMEOUT_MS);
  const runs = await tailCase(ctx, `gateway fan-out to ${GATEWAY_CLIENTS} clients`, 1, Math.max(200, Math.round(2000 * ctx.scale)), read);
  const how =
    `a stream gateway on the hub and ${GATEWAY_CLIENTS} RemoteStream clients, one connection each, all in this process, each listening from the header; ` +
    `messages/s counts deliveries across the clients (each record reaches all ${GATEWAY_CLIENTS}), from the first client's listen to the last delivery (the CPU also counts connecting and disconnecting the clients); ` +
    `the anchor reads each record once, so a ratio of 1 means the gateway hands out as many messages a second as kafkajs reads`;
  const figure = tailFigure(`gateway fan-out to ${GATEWAY_CLIENTS} clients`, runs, how);
  figure.anchors.push({ name: `${RAW_TAIL}, one stream's tail case (${oneStream.records} records)`, value: oneStream.rawRate });
  ctx.figures.push(figure);
}

/**
 * Keyed message streams (issue 10): listen-to-header latency, listener throughput, and the gateway's fan-out,
 * beside raw kafkajs reading the same records from the same log topic.
 */
export const streams: Suite = {
  name: 'streams',
  title: 'Keyed message streams',
  async run(ctx) {
    await listenToHeader(ctx);
    const oneStream = await tails(ctx);
    await gatewayFanOut(ctx, oneStream);
  },
};
