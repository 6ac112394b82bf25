import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandEnvelope } from '@tributary/commands';
import { createCodecLookup, decodeEvent, jsonCodec } from '@tributary/core';
import { fromPartitionKey, KafkaAdmin, readToEnd, type KafkaClient, type TopicPartition } from '@tributary/kafka';
import { ensureMessagingTopics } from '@tributary/messaging';
import { ensureStreamTopics } from '@tributary/streams';
import { randomGroup, randomTopic, startKafkaCluster, testClient, waitFor, type KafkaCluster } from '@tributary/test-kit';
import { check, type CheckResult, type ObservedCommand, type ObservedRecord } from './checker.js';
import { proxyClientListeners, START_TIMEOUT_MS } from './faults/proxied-listeners.js';
import type { ChaosProxy } from './faults/chaos-proxy.js';
import { FAULT_KINDS, healEverything, injectFault, type FaultContext, type FaultKind, type FaultRecord } from './faults/faults.js';
import { readHistories, type HistoryEntry } from './history.js';
import { summarizeRecovery, type RecoverySummary } from './recovery.js';
import { Supervisor, type WorkerProcess } from './workers/supervisor.js';

export interface Profile {
  name: 'quick' | 'soak';
  /** Faults in order (quick), or undefined for random faults until `minutes` run out (soak). */
  faults?: readonly FaultKind[];
  minutes: number;
  /** Events per second per producer. */
  rate: number;
  producers: number;
  members: number;
  partitions: number;
  /** Quiet time between faults, ms (soak: up to twice this, at random). */
  settleMs: number;
  /** How long a broker or network fault is held, ms. */
  holdMs: number;
  /** Whether the command workload (a sender and two transactional processors) runs. */
  commands: boolean;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: { name: 'quick', faults: FAULT_KINDS, minutes: 5, rate: 150, producers: 2, members: 3, partitions: 6, settleMs: 4000, holdMs: 6000, commands: true },
  soak: { name: 'soak', minutes: 30, rate: 150, producers: 2, members: 3, partitions: 6, settleMs: 10_000, holdMs: 8000, commands: true },
};

export interface BatteryResult {
  profile: Profile;
  startedAt: Date;
  durationSeconds: number;
  kafkaVersion: string;
  /** Acknowledged events per second over the production window, faults included. */
  eventsPerSecond: number;
  faults: FaultRecord[];
  recovery: RecoverySummary[];
  check: CheckResult;
  historyDir: string;
}

const MEMBER_SESSION_TIMEOUT_MS = 6000;
const MESSAGING_SESSION_TIMEOUT_MS = 6000;
/** The writer's streams, each put to one put after the other (20 a second at most), listened to by one listener at a time. */
const STREAMS = ['lane-0', 'lane-1', 'lane-2'];
const STREAM_PUTS_PER_SECOND = 20;
/** Commands sent per second; each leads to one follow-up, so processors run twice as many. */
const COMMANDS_PER_SECOND = 30;

/**
 * KRaft's defaults (1 s election timeout, 2 s fetch timeout, 1 s back-off) let the three controllers split their
 * votes over and over on a starved two-core machine after a controller is killed (dozens of epochs, no leader, for
 * minutes): give a starved quorum time to elect. Fail-over of the brokers' partitions is unchanged.
 */
const QUORUM_ON_A_BUSY_MACHINE = {
  'controller.quorum.election.timeout.ms': '3000',
  'controller.quorum.fetch.timeout.ms': '6000',
  'controller.quorum.election.backoff.max.ms': '4000',
};

/**
 * Run one profile: a three-node cluster (replication 3, min.insync.replicas 2), producers and group members as
 * separate processes whose every client connection passes through loopback proxies, faults one after the other,
 * then, with everything healed, a drain and the independent check. Every process it started is stopped by its
 * pid, whatever happens. The histories stay in `historyDir` for the caller to keep or remove.
 */
export async function runBattery(profile: Profile, log: (line: string) => void): Promise<BatteryResult> {
  const started = new Date();
  const historyDir = await mkdtemp(join(tmpdir(), 'tributary-battery-'));
  const topic = randomTopic('battery');
  const groupId = randomGroup('battery');
  const messagingPrefix = randomTopic('battery-messaging');
  const streamsPrefix = randomTopic('battery-streams');
  const commandsTopic = randomTopic('battery-commands');
  const processorGroup = randomGroup('battery-processors');
  let cluster: KafkaCluster | undefined;
  let proxies: ChaosProxy[] = [];
  let supervisor: Supervisor | undefined;
  let admin: KafkaAdmin | undefined;
  try {
    log(`starting a three-node cluster; history in ${historyDir}`);
    cluster = await startKafkaCluster({ nodes: 3, log, readyTimeoutMs: START_TIMEOUT_MS, overrides: QUORUM_ON_A_BUSY_MACHINE });
    const routed = await proxyClientListeners(cluster);
    proxies = routed.proxies;
    admin = new KafkaAdmin(testClient(cluster.brokers, 'battery-admin'));
    await admin.ensureTopics([{ topic, partitions: profile.partitions, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }, { topic: `${topic}.DLT`, partitions: 1, replicationFactor: 3 }]);
    await ensureMessagingTopics({ brokers: cluster.brokers }, { prefix: messagingPrefix, inboxPartitions: 4, replicationFactor: 3 });
    await ensureStreamTopics({ brokers: cluster.brokers }, { prefix: streamsPrefix, partitions: 4, replicationFactor: 3 });
    if (profile.commands) await admin.ensureTopics([
      { topic: commandsTopic, partitions: 4, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
      { topic: `${commandsTopic}.DLT`, partitions: 1, replicationFactor: 3 },
      { topic: `${commandsTopic}.dedupe`, partitions: 1, replicationFactor: 3, configs: { 'cleanup.policy': 'compact,delete' } },
    ]);
    log(`cluster up (Kafka ${cluster.kafkaVersion}); topic ${topic} with ${profile.partitions} partitions; clients through proxies ${routed.brokers.join(',')}`);

    const sup = (supervisor = new Supervisor(historyDir, { BATTERY_BROKERS: routed.brokers.join(',') }));
    let memberCount = 0;
    const startMember = async (): Promise<WorkerProcess> => {
      const m = sup.start('member', `member-${++memberCount}`, { TOPIC: topic, GROUP: groupId, SESSION_TIMEOUT_MS: MEMBER_SESSION_TIMEOUT_MS, POISON_SUFFIX: '99' });
      await m.ready;
      return m;
    };
    let responderCount = 0;
    const startResponder = async (): Promise<WorkerProcess> => {
      const r = sup.start('responder', `responder-${++responderCount}`, { PREFIX: messagingPrefix, SESSION_TIMEOUT_MS: MESSAGING_SESSION_TIMEOUT_MS });
      await r.ready;
      return r;
    };
    let listenerCount = 0;
    const startListener = async (): Promise<WorkerProcess> => {
      const l = sup.start('stream-listener', `listener-${++listenerCount}`, { PREFIX: streamsPrefix, STREAMS: STREAMS.join(','), STOP_WAIT_MS: 20_000 });
      await l.ready;
      return l;
    };
    // A processor started in a killed one's place takes its transactional id: the killed one's open transaction is
    // aborted at once and it is fenced, rather than holding read_committed readers back until the transaction's timeout.
    const transactionalIds = new Map<string, string>();
    let processorCount = 0;
    const startProcessor = async (transactionalId: string): Promise<WorkerProcess> => {
      const name = `processor-${++processorCount}`;
      transactionalIds.set(name, transactionalId);
      const p = sup.start('processor', name, { TOPIC: commandsTopic, GROUP: processorGroup, TRANSACTIONAL_ID: transactionalId, SESSION_TIMEOUT_MS: MEMBER_SESSION_TIMEOUT_MS });
      await p.ready;
      return p;
    };
    const producers = Array.from({ length: profile.producers }, (_, i) => sup.start('producer', `producer-${i + 1}`, { TOPIC: topic, RATE: profile.rate }));
    // The streams and commands workloads start beside the others.
    const writer = sup.start('stream-writer', 'stream-writer', { PREFIX: streamsPrefix, STREAMS: STREAMS.join(','), RATE: STREAM_PUTS_PER_SECOND });
    const commander = profile.commands ? sup.start('commander', 'commander-1', { TOPIC: commandsTopic, RATE: COMMANDS_PER_SECOND }) : undefined;
    const othersReady = Promise.all([writer.ready.then(startListener), ...(commander ? [commander.ready, startProcessor(`${processorGroup}-a`), startProcessor(`${processorGroup}-b`)] : [])]);
    await Promise.all(producers.map((p) => p.ready));
    for (let i = 0; i < profile.members; i++) await startMember();
    for (let i = 0; i < 2; i++) await startResponder();
    const requester = sup.start('requester', 'requester-1', { PREFIX: messagingPrefix, SESSION_TIMEOUT_MS: MESSAGING_SESSION_TIMEOUT_MS });
    await requester.ready;
    await othersReady;
    const productionStart = Date.now();
    await waitFor('the first deliveries', async () => (readHistories(historyDir).some((e) => e.k === 'deliver') ? true : undefined), 120_000);
    log(`${profile.producers} producers at ${profile.rate} events/s each, ${profile.members} members, a requester and two responders, a stream writer and its listener${commander ? ', a command sender and two processors' : ''}: running`);

    const ctx: FaultContext = {
      cluster, admin, topic, proxies,
      members: () => sup.workers.filter((w) => w.kind === 'member' && w.alive),
      startMember,
      responders: () => sup.workers.filter((w) => w.kind === 'responder' && w.alive),
      startResponder,
      listeners: () => sup.workers.filter((w) => w.kind === 'stream-listener' && w.alive),
      startListener,
      processors: () => sup.workers.filter((w) => w.kind === 'processor' && w.alive),
      startProcessor: (inPlaceOf) => startProcessor(transactionalIds.get(inPlaceOf.name)!),
      ownedBy: (member) => ownedNow(readHistories(historyDir), member),
      memberSessionTimeoutMs: MEMBER_SESSION_TIMEOUT_MS,
      brokerSessionTimeoutMs: 4000,
      holdMs: profile.holdMs,
      log: (line) => log(`  ${line}`),
    };
    const faults: FaultRecord[] = [];
    const deadline = productionStart + profile.minutes * 60_000;
    const plan = profile.faults ? [...profile.faults] : undefined;
    for (;;) {
      const kind = plan ? plan.shift() : FAULT_KINDS[Math.floor(Math.random() * FAULT_KINDS.length)];
      if (!kind || (!plan && Date.now() > deadline)) break;
      await sleep(plan ? profile.settleMs : profile.settleMs * (1 + Math.random()));
      log(`fault ${faults.length + 1}: ${kind}`);
      faults.push(await injectFault(kind, ctx));
    }
    await healEverything(ctx);
    await sleep(profile.settleMs);
    const productionEnd = Date.now();
    log('faults over; stopping the producers, the stream writer and the command sender, then draining the groups');
    await Promise.all([...producers, requester, writer, ...(commander ? [commander] : [])].map((p) => p.stop(60_000)));
    const caughtUp = (group: string, t: string) => async () => ((await admin!.lag(group, [t])).every((l) => l.lag === 0n) ? true : undefined);
    await waitFor('the group caught up with the log', caughtUp(groupId, topic), 180_000);
    if (commander) await waitFor('the processors caught up with the commands', caughtUp(processorGroup, commandsTopic), 180_000);
    await Promise.all([...ctx.members(), ...ctx.responders(), ...ctx.listeners(), ...ctx.processors()].map((m) => m.stop()));

    log('reading the cluster end to end with a fresh client');
    const reader = testClient(cluster.brokers, 'battery-checker');
    const observe = async (t: string): Promise<ObservedRecord[]> => (await readToEnd(reader, t)).map((r) => ({ topic: t, partition: r.partition, offset: r.offset, id: r.key?.toString() }));
    const observed = {
      log: await observe(topic),
      deadLetters: await observe(`${topic}.DLT`),
      commits: [...(await admin.groupOffsets(groupId, [topic]))].map(([key, offset]) => ({ ...fromPartitionKey(key), offset })),
      commands: commander ? await observeCommands(reader, commandsTopic) : [],
    };
    // Kept beside the histories for a reader of a finding.
    writeFileSync(join(historyDir, 'observed-commands.jsonl'), observed.commands.map((c) => JSON.stringify({ ...c, offset: c.offset.toString() })).join('\n'));
    const history = readHistories(historyDir);
    const result = check(history, observed, { drainedTopics: [topic] });
    // A workload that recorded nothing was not tested: that is no result, not "no anomaly".
    const idle = Object.entries({ sends: result.stats.acked, deliveries: result.stats.deliveries, requests: result.stats.requests, 'stream elements': result.stats.streamElements, ...(commander ? { 'commands executed': result.stats.commandRuns } : {}) }).filter(([, n]) => n === 0);
    if (idle.length > 0) throw new Error(`The battery's workloads recorded no ${idle.map(([what]) => what).join(', no ')}; histories in ${historyDir}`);
    const acked = result.stats.acked;
    return {
      profile,
      startedAt: started,
      durationSeconds: (Date.now() - started.getTime()) / 1000,
      kafkaVersion: cluster.kafkaVersion,
      eventsPerSecond: acked / ((productionEnd - productionStart) / 1000),
      faults,
      recovery: summarizeRecovery(faults, history),
      check: result,
      historyDir,
    };
  } finally {
    await supervisor?.killAll();
    await admin?.close().catch(() => {});
    await Promise.all(proxies.map((p) => p.close()));
    await cluster?.stop();
  }
}

/** Every command message of the topic as a read_committed reader sees it: what the processors' transactions published. */
async function observeCommands(reader: KafkaClient, topic: string): Promise<ObservedCommand[]> {
  const codecs = createCodecLookup([jsonCodec]);
  const records = await readToEnd(reader, topic, { isolationLevel: 'read_committed' });
  return Promise.all(
    records.map(async (r) => {
      const envelope = commandEnvelope(await decodeEvent({ key: r.key, value: r.value!, headers: r.headers, timestamp: r.timestamp }, codecs, topic));
      return { partition: r.partition, offset: r.offset, id: envelope.id, type: envelope.type, causationId: envelope.causationId };
    }),
  );
}

/** A member's partitions by its latest assignment line. */
function ownedNow(history: readonly HistoryEntry[], member: string): TopicPartition[] {
  const last = history.filter((e) => e.k === 'assign' && e.member === member).at(-1);
  return last?.k === 'assign' ? last.partitions : [];
}
