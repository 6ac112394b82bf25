import type { Anchor, Figure } from '../figures.js';
import type { BenchContext, Suite } from '../context.js';
import { runEndToEndLatency, type EndToEndLatencyResult } from '../java-end-to-end.js';
import { startRawPingPong } from '../raw-kafkajs-ping-pong.js';
import { runClosedLoop, type RoundTripper, type RoundTripResult } from '../round-trip.js';
import { medianRound } from '../measure.js';
import { createTopic } from '../topics.js';
import { startTributaryRoundTrip } from '../tributary-round-trip.js';

/** Request (and reply) value size, for every implementation and Kafka's tool. */
const PAYLOAD_BYTES = 100;
/** Request topic partitions: one or more for each of the most responders a case has. */
const REQUEST_PARTITIONS = 4;
const REQUEST_TIMEOUT_MS = 10_000;

/** The issue's cases: 1 and 64 requests in flight, against 1 and 4 responders. */
const CASES = [
  { inFlight: 1, responders: 1 },
  { inFlight: 64, responders: 1 },
  { inFlight: 1, responders: 4 },
  { inFlight: 64, responders: 4 },
] as const;

type Case = (typeof CASES)[number];

const label = (c: Case) => `${c.inFlight} in flight, ${c.responders} responder${c.responders > 1 ? 's' : ''}`;

/** Each case: warm-up, then the measured window, scaled by --scale. */
function timing(ctx: BenchContext) {
  return { warmUpMs: Math.max(200, Math.round(1000 * ctx.scale)), measureMs: Math.max(500, Math.round(4000 * ctx.scale)) };
}

async function measureCase(ctx: BenchContext, c: Case, start: () => Promise<RoundTripper>): Promise<RoundTripResult> {
  const target = await start();
  try {
    return await runClosedLoop(target, { inFlight: c.inFlight, ...timing(ctx), brokerPid: ctx.brokerPid });
  } finally {
    await target.close();
  }
}

async function rawCase(ctx: BenchContext, c: Case): Promise<RoundTripResult> {
  const requestTopic = await createTopic(ctx, 'bench-rt-requests', REQUEST_PARTITIONS);
  const replyTopic = await createTopic(ctx, 'bench-rt-replies', 1);
  ctx.log(`round trip: raw kafkajs ping-pong, ${label(c)}`);
  return measureCase(ctx, c, () =>
    startRawPingPong({ brokers: ctx.brokers, requestTopic, requestPartitions: REQUEST_PARTITIONS, replyTopic, responders: c.responders, payloadBytes: PAYLOAD_BYTES, maxWaitTimeInMs: 100, timeoutMs: REQUEST_TIMEOUT_MS }),
  );
}

/** The `stickyRequests` of the extra case with 64 in flight and 4 responders (the default, 1, is the issue's case). */
const STICKY = 32;

/**
 * Rounds of each Tributary case, each with responders started afresh: one 4-second window on this shared two-core
 * host has moved by half between runs, so the figures are the round with the median rate and the notes give every round.
 */
const ROUNDS = 3;

async function tributaryCase(ctx: BenchContext, c: Case, stickyRequests?: number): Promise<{ median: RoundTripResult; rounds: string }> {
  const runs: RoundTripResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    ctx.log(`round trip: Tributary messaging, ${label(c)}${stickyRequests ? `, stickyRequests ${stickyRequests}` : ''}, round ${round} of ${ROUNDS}`);
    runs.push(await measureCase(ctx, c, () => startTributaryRoundTrip({ brokers: ctx.brokers, responders: c.responders, payloadBytes: PAYLOAD_BYTES, timeoutMs: REQUEST_TIMEOUT_MS, ...(stickyRequests ? { stickyRequests } : {}) })));
  }
  const byRound = runs.map((r) => (c.inFlight === 1 ? `${r.requestsPerSec.toFixed(0)}/s p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(1)} ms` : `${r.requestsPerSec.toFixed(0)}/s`)).join(', ');
  return { median: medianRound(runs, (r) => r.requestsPerSec), rounds: `the round with the median rate of ${ROUNDS}, each with its responders started afresh (by round: ${byRound})` };
}

/** Kafka's EndToEndLatency on a one-partition topic: one way, doubled as a round trip's equivalent. */
async function javaAnchor(ctx: BenchContext): Promise<EndToEndLatencyResult> {
  const topic = await createTopic(ctx, 'bench-rt-java', 1);
  const count = Math.max(200, Math.round(3000 * ctx.scale));
  ctx.log(`round trip: java EndToEndLatency, ${count} x ${PAYLOAD_BYTES} B, acks=all`);
  const r = await runEndToEndLatency(ctx.java, ctx.classpath, { brokers: ctx.brokers, topic, count, acks: 'all', size: PAYLOAD_BYTES });
  const oneWay = `one way: avg ${r.avgMs.toFixed(2)} ms, p50 ${r.p50}, p99 ${r.p99}, p99.9 ${r.p999} ms`;
  const how = `${count} records of ${PAYLOAD_BYTES} B sent one at a time, acks=all, each awaited then polled back (fetch.max.wait.ms 0); the tool truncates each latency to whole ms before its percentiles; includes the JVM's warm-up`;
  const common = { suite: 'round-trip', unit: 'ms', anchors: [], cpu: { client: r.cpuSeconds } };
  ctx.figures.push({ ...common, name: 'java EndToEndLatency x2: p50', value: 2 * r.p50, notes: `a round trip is two one-way trips; ${oneWay}; ${how}` });
  ctx.figures.push({ ...common, name: 'java EndToEndLatency x2: p99', value: 2 * r.p99, notes: `avg x2 ${(2 * r.avgMs).toFixed(2)} ms; p99.9 x2 ${2 * r.p999} ms` });
  return r;
}

/** The four rows of one implementation's case: p50, p99, max (ms, lower is better) and requests/s. */
function caseFigures(name: string, how: string, r: RoundTripResult, anchors: Record<'p50' | 'p99' | 'max' | 'rate', Anchor[]>, bounds: Pick<Figure, 'bound'>[] = []): Figure[] {
  const latency = `from the call to its matched reply, ${r.requests} requests in a closed loop after a warm-up; mean ${r.mean.toFixed(2)} ms; lower is better: a ratio below 1 is faster than the anchor`;
  return [
    { suite: 'round-trip', name: `${name}: p50`, value: r.p50, unit: 'ms', anchors: anchors.p50, ...bounds[0], notes: latency },
    { suite: 'round-trip', name: `${name}: p99`, value: r.p99, unit: 'ms', anchors: anchors.p99, ...bounds[1] },
    { suite: 'round-trip', name: `${name}: max`, value: r.max, unit: 'ms', anchors: anchors.max },
    { suite: 'round-trip', name: `${name}: requests/s`, value: r.requestsPerSec, unit: 'requests/s', anchors: anchors.rate, ...bounds[2], cpu: r.cpu, notes: how },
  ];
}

const RAW_HOW =
  'requester: one idempotent producer (acks all, one request in flight, as every anchor), one send() per request, since kafkajs merges no concurrent sends; ' +
  'its own consumer on a 1-partition reply topic; responders: one group on a 4-partition request topic, each member a process of its own, eachBatch answered with one send, maxWaitTimeInMs 100; client CPU includes the responders\' processes';
const TRIBUTARY_HOW = `sendRequestToPath to a JSON echo handler; each responder a process of its own with its messaging instance, the requester in the benchmark's process; ${PAYLOAD_BYTES} B requests; client CPU includes the responders' processes`;

/** The issue's targets: p50 <= 5 ms and p99 <= 25 ms with one requester; >= 5,000 requests/s with 64. */
function targets(c: Case): Pick<Figure, 'bound'>[] {
  return c.inFlight === 1 ? [{ bound: { atMost: 5 } }, { bound: { atMost: 25 } }, {}] : [{}, {}, { bound: { atLeast: 5000 } }];
}

async function roundTrips(ctx: BenchContext): Promise<void> {
  const java = await javaAnchor(ctx);
  for (const c of CASES) {
    // The Java tool has one record in flight: an anchor for the one-in-flight cases only.
    const javaP50 = c.inFlight === 1 ? [{ name: 'java EndToEndLatency x2', value: 2 * java.p50 }] : [];
    const javaP99 = c.inFlight === 1 ? [{ name: 'java EndToEndLatency x2', value: 2 * java.p99 }] : [];
    const raw = await rawCase(ctx, c);
    ctx.figures.push(...caseFigures(`kafkajs ping-pong, ${label(c)}`, RAW_HOW, raw, { p50: javaP50, p99: javaP99, max: [], rate: [] }));
    const { median: t, rounds } = await tributaryCase(ctx, c);
    const rawAnchor = (value: number) => ({ name: 'raw kafkajs ping-pong', value });
    ctx.figures.push(
      ...caseFigures(`messaging, ${label(c)}`, `${TRIBUTARY_HOW}; ${rounds}`, t, { p50: [rawAnchor(raw.p50), ...javaP50], p99: [rawAnchor(raw.p99), ...javaP99], max: [rawAnchor(raw.max)], rate: [rawAnchor(raw.requestsPerSec)] }, targets(c)),
    );
    if (c.inFlight > 1 && c.responders > 1) {
      // The same with the requester's bursts kept together per handler (an option, not the default): beside the
      // default run, so the two compare on one host in one run.
      const { median: sticky, rounds: stickyRounds } = await tributaryCase(ctx, c, STICKY);
      const how = `${TRIBUTARY_HOW}; ${stickyRounds}; stickyRequests ${STICKY}: the requests of one turn of the event loop go to one handler, up to ${STICKY}, then the next (default 1: each request to the handler with the fewest requests waiting, the next in turn among equals)`;
      ctx.figures.push(
        ...caseFigures(`messaging, ${label(c)}, stickyRequests ${STICKY}`, how, sticky, { p50: [rawAnchor(raw.p50)], p99: [rawAnchor(raw.p99)], max: [rawAnchor(raw.max)], rate: [rawAnchor(raw.requestsPerSec), { name: 'the same, stickyRequests 1', value: t.requestsPerSec }] }, targets(c)),
      );
    }
  }
}

/** Request/response round trips (issue 9): Tributary messaging beside raw kafkajs and Kafka's EndToEndLatency x2. */
export const roundTrip: Suite = {
  name: 'round-trip',
  title: 'Request/response round trip',
  run: roundTrips,
};
