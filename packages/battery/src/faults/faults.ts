import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAdmin, TopicPartition } from '@tributary/kafka';
import { waitFor, type KafkaCluster, type KafkaNode } from '@tributary/test-kit';
import type { WorkerProcess } from '../workers/supervisor.js';
import type { ChaosProxy } from './chaos-proxy.js';
import { START_TIMEOUT_MS } from './proxied-listeners.js';

export const FAULT_KINDS = [
  'leader-kill', // kill -9 of a partition leader during production; restarted after a while
  'two-brokers-down', // two of three brokers killed (no quorum, writes refused) and started again
  'broker-frozen', // a broker SIGSTOPped past the broker session timeout, then SIGCONT
  'rolling-restart', // every broker restarted (controlled), one after the other, each back in the ISR first
  'member-killed', // a group member killed with kill -9 while handling records; a new one starts
  'member-frozen', // a group member SIGSTOPped past its session timeout, then SIGCONT
  'member-joins', // a member joins while the group processes: a rebalance under load
  'responder-killed', // a messaging responder killed with kill -9 while handling requests; a new one starts
  'listener-restarted', // a stream listener's process killed with kill -9 mid-stream; a new one listens
  'processor-killed', // a transactional command processor killed with kill -9 under load; a new one takes its place
  'connection-resets', // every client connection reset through the proxies, repeatedly
  'network-delay', // every client byte delayed through the proxies
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** One fault as injected: when it began and healed, what it hit, and the partitions it stopped. */
export interface FaultRecord {
  kind: FaultKind;
  target: string;
  startedAt: number;
  healedAt: number;
  /**
   * Recovery is measured from here: the heal for faults that stop progress until healed, the start for faults
   * the system must ride through by itself (a leader's fail-over, a member's partitions taken over).
   */
  recoveryFrom: number;
  /** Partitions whose progress tells recovery (the victim's), or all. */
  partitions: TopicPartition[];
  /** The worker the fault killed: its own history lines never count as recovery. */
  victim?: string;
}

export interface FaultContext {
  cluster: KafkaCluster;
  admin: KafkaAdmin;
  topic: string;
  proxies: readonly ChaosProxy[];
  /** The group members running now. */
  members(): WorkerProcess[];
  /** Start one more member and wait until it is ready. */
  startMember(): Promise<WorkerProcess>;
  /** The responders running now, and a new one started (resolves once it is registered). */
  responders(): WorkerProcess[];
  startResponder(): Promise<WorkerProcess>;
  /** The stream listeners running now, and a new one started (resolves once it listens). */
  listeners(): WorkerProcess[];
  startListener(): Promise<WorkerProcess>;
  /** The command processors running now, and one started in a killed one's place (its transactional id). */
  processors(): WorkerProcess[];
  startProcessor(inPlaceOf: WorkerProcess): Promise<WorkerProcess>;
  /** The partitions a member owns now, by its history. */
  ownedBy(member: string): TopicPartition[];
  memberSessionTimeoutMs: number;
  /** Broker session timeout of the cluster (the launcher sets 4 s on three nodes). */
  brokerSessionTimeoutMs: number;
  /** How long a broker fault is held. */
  holdMs: number;
  log(line: string): void;
}

type Injector = (ctx: FaultContext) => Promise<FaultRecord>;

async function allPartitions(ctx: FaultContext): Promise<TopicPartition[]> {
  return (await ctx.admin.describeTopic(ctx.topic)).map((p) => ({ topic: ctx.topic, partition: p.partition }));
}

/** Wait until every node runs and every partition of the topic has all three replicas in sync. */
export async function clusterHealed(ctx: FaultContext, timeoutMs = 120_000): Promise<void> {
  await waitFor('every replica back in sync', async () => {
    const parts = await ctx.admin.describeTopic(ctx.topic);
    return parts.every((p) => p.isr.length === 3 && p.leader >= 0) ? true : undefined;
  }, timeoutMs);
}

/** The leader of a partition of the topic, picked at random. */
async function someLeader(ctx: FaultContext): Promise<KafkaNode> {
  return ctx.cluster.node(pick(await ctx.admin.describeTopic(ctx.topic)).leader);
}

async function ledBy(ctx: FaultContext, nodeId: number): Promise<TopicPartition[]> {
  return (await ctx.admin.describeTopic(ctx.topic)).filter((p) => p.leader === nodeId).map((p) => ({ topic: ctx.topic, partition: p.partition }));
}

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

const INJECTORS: Record<FaultKind, Injector> = {
  async 'leader-kill'(ctx) {
    const victim = await someLeader(ctx);
    const partitions = await ledBy(ctx, victim.nodeId);
    const startedAt = Date.now();
    await victim.kill();
    ctx.log(`killed node ${victim.nodeId} (kill -9), the leader of ${partitions.length} partition(s)`);
    await sleep(ctx.holdMs);
    await victim.start(START_TIMEOUT_MS);
    const healedAt = Date.now();
    await clusterHealed(ctx);
    return { kind: 'leader-kill', target: `node ${victim.nodeId}`, startedAt, healedAt, recoveryFrom: startedAt, partitions };
  },

  async 'two-brokers-down'(ctx) {
    const victims = [...ctx.cluster.nodes].sort(() => Math.random() - 0.5).slice(0, 2);
    const startedAt = Date.now();
    await Promise.all(victims.map((n) => n.kill()));
    ctx.log(`killed nodes ${victims.map((n) => n.nodeId).join(' and ')}: no quorum, writes refused`);
    await sleep(ctx.holdMs);
    // Each needs the other's vote to finish starting.
    await Promise.all(victims.map((n) => n.start(START_TIMEOUT_MS)));
    const healedAt = Date.now();
    await clusterHealed(ctx);
    return { kind: 'two-brokers-down', target: `nodes ${victims.map((n) => n.nodeId).join(',')}`, startedAt, healedAt, recoveryFrom: healedAt, partitions: await allPartitions(ctx) };
  },

  async 'broker-frozen'(ctx) {
    const victim = await someLeader(ctx);
    const partitions = await ledBy(ctx, victim.nodeId);
    const startedAt = Date.now();
    victim.pause();
    ctx.log(`froze node ${victim.nodeId} (SIGSTOP) for ${ctx.brokerSessionTimeoutMs * 2} ms`);
    await sleep(ctx.brokerSessionTimeoutMs * 2);
    victim.resume();
    const healedAt = Date.now();
    await clusterHealed(ctx);
    return { kind: 'broker-frozen', target: `node ${victim.nodeId}`, startedAt, healedAt, recoveryFrom: startedAt, partitions };
  },

  async 'rolling-restart'(ctx) {
    const startedAt = Date.now();
    for (const node of ctx.cluster.nodes) {
      await node.stop();
      await node.start(START_TIMEOUT_MS);
      ctx.log(`restarted node ${node.nodeId}`);
      await clusterHealed(ctx);
    }
    const healedAt = Date.now();
    return { kind: 'rolling-restart', target: 'nodes 1,2,3', startedAt, healedAt, recoveryFrom: healedAt, partitions: await allPartitions(ctx) };
  },

  async 'member-killed'(ctx) {
    const victim = pick(ctx.members().filter((m) => ctx.ownedBy(m.name).length > 0));
    const partitions = ctx.ownedBy(victim.name);
    const startedAt = Date.now();
    await victim.kill();
    ctx.log(`killed member ${victim.name} (kill -9) owning ${partitions.length} partition(s)`);
    const replacement = await ctx.startMember();
    const healedAt = Date.now();
    return { kind: 'member-killed', target: `${victim.name} -> ${replacement.name}`, startedAt, healedAt, recoveryFrom: startedAt, partitions };
  },

  async 'member-frozen'(ctx) {
    const victim = pick(ctx.members().filter((m) => ctx.ownedBy(m.name).length > 0));
    const partitions = ctx.ownedBy(victim.name);
    const startedAt = Date.now();
    victim.signal('SIGSTOP');
    const frozenMs = ctx.memberSessionTimeoutMs + 4000;
    ctx.log(`froze member ${victim.name} (SIGSTOP) for ${frozenMs} ms, past its session timeout`);
    await sleep(frozenMs);
    victim.signal('SIGCONT');
    const healedAt = Date.now();
    return { kind: 'member-frozen', target: victim.name, startedAt, healedAt, recoveryFrom: startedAt, partitions };
  },

  async 'member-joins'(ctx) {
    const startedAt = Date.now();
    const joined = await ctx.startMember();
    ctx.log(`member ${joined.name} joined`);
    // Keep the group at most four strong: the oldest leaves (a graceful stop) after the join.
    const members = ctx.members();
    if (members.length > 4) await members[0]!.stop();
    const healedAt = Date.now();
    return { kind: 'member-joins', target: joined.name, startedAt, healedAt, recoveryFrom: startedAt, partitions: await allPartitions(ctx) };
  },

  async 'responder-killed'(ctx) {
    const victim = pick(ctx.responders());
    const startedAt = Date.now();
    await victim.kill();
    ctx.log(`killed responder ${victim.name} (kill -9) while it handled requests`);
    const replacement = await ctx.startResponder();
    const healedAt = Date.now();
    return { kind: 'responder-killed', target: `${victim.name} -> ${replacement.name}`, startedAt, healedAt, recoveryFrom: startedAt, partitions: [] };
  },

  async 'listener-restarted'(ctx) {
    const victim = pick(ctx.listeners());
    const startedAt = Date.now();
    await victim.kill();
    ctx.log(`killed stream listener ${victim.name} (kill -9) mid-stream`);
    const replacement = await ctx.startListener();
    const healedAt = Date.now();
    return { kind: 'listener-restarted', target: `${victim.name} -> ${replacement.name}`, startedAt, healedAt, recoveryFrom: startedAt, partitions: [], victim: victim.name };
  },

  async 'processor-killed'(ctx) {
    if (ctx.processors().length === 0) throw new Error('processor-killed needs the command workload, which this profile does not run');
    const owning = ctx.processors().filter((p) => ctx.ownedBy(p.name).length > 0);
    const victim = pick(owning.length > 0 ? owning : ctx.processors());
    const partitions = ctx.ownedBy(victim.name);
    const startedAt = Date.now();
    await victim.kill();
    ctx.log(`killed command processor ${victim.name} (kill -9) owning ${partitions.length} partition(s), commands under way`);
    const replacement = await ctx.startProcessor(victim);
    const healedAt = Date.now();
    return { kind: 'processor-killed', target: `${victim.name} -> ${replacement.name}`, startedAt, healedAt, recoveryFrom: startedAt, partitions, victim: victim.name };
  },

  async 'connection-resets'(ctx) {
    const startedAt = Date.now();
    let resets = 0;
    for (let i = 0; i < 5; i++) {
      resets += ctx.proxies.reduce((n, p) => n + p.resetAll(), 0);
      await sleep(1000);
    }
    ctx.log(`reset ${resets} client connection(s), five times a second apart`);
    const healedAt = Date.now();
    return { kind: 'connection-resets', target: `${resets} connections`, startedAt, healedAt, recoveryFrom: healedAt, partitions: await allPartitions(ctx) };
  },

  async 'network-delay'(ctx) {
    const startedAt = Date.now();
    const delayMs = 300 + Math.floor(Math.random() * 400);
    for (const p of ctx.proxies) p.delayMs = delayMs;
    ctx.log(`delaying every client byte by ${delayMs} ms for ${ctx.holdMs} ms`);
    await sleep(ctx.holdMs);
    for (const p of ctx.proxies) p.delayMs = 0;
    const healedAt = Date.now();
    return { kind: 'network-delay', target: `${delayMs} ms`, startedAt, healedAt, recoveryFrom: healedAt, partitions: await allPartitions(ctx) };
  },
};

/** Inject one fault and heal it; resolves with what was done once the fault is over. */
export function injectFault(kind: FaultKind, ctx: FaultContext): Promise<FaultRecord> {
  return INJECTORS[kind](ctx);
}

/** Undo whatever a failed fault may have left: every node running and resumed, members resumed, proxies clean. */
export async function healEverything(ctx: FaultContext): Promise<void> {
  for (const p of ctx.proxies) p.delayMs = 0;
  for (const m of [...ctx.members(), ...ctx.responders(), ...ctx.listeners(), ...ctx.processors()]) m.signal('SIGCONT');
  for (const n of ctx.cluster.nodes) n.resume();
  await Promise.all(ctx.cluster.nodes.filter((n) => !n.running).map((n) => n.start(START_TIMEOUT_MS)));
  await clusterHealed(ctx);
}
