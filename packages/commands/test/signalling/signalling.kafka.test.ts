import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@tributary/kafka';
import { createMessaging, type Messaging } from '@tributary/messaging';
import type { ChannelLayer } from '../../src/channels/channel-layer.js';
import { SignallingCommandError } from '../../src/errors.js';
import type { PeerLostEvent } from '../../src/signalling/peer-watch.js';
import { openSignallingClient, type SignallingClient } from '../../src/signalling/signalling-client.js';
import { openSignallingServer, type SignallingServer } from '../../src/signalling/signalling-server.js';
import { freshTopics, kafkaLayers } from '../channels/kafka-support.js';
import { until } from '../channels/support.js';

const brokers = inject('kafkaBrokers');
const fixture = fileURLToPath(new URL('./fixtures/peer-process.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const KEEPALIVE_MS = 300;
const MISSED = 3;
// The stated bound: a peer is reported within MISSED × its interval + this side's interval / 4 of last being heard.
const BOUND_MS = MISSED * KEEPALIVE_MS + KEEPALIVE_MS / 4;

describe('signalling against a real broker', () => {
  let topics: { messagingPrefix: string; prefix: string };
  let layers: ReturnType<typeof kafkaLayers>;
  let hub: Messaging;
  const servers: SignallingServer[] = [];
  const clients: SignallingClient[] = [];
  const children: ChildProcess[] = [];

  const server = async () => {
    const s = await openSignallingServer({ connection: { brokers, logger: silentLogger }, prefix: topics.prefix, logger: silentLogger, messaging: { prefix: topics.messagingPrefix, heartbeatMs: 500, sessionTimeoutMs: 10_000 }, keepaliveMs: KEEPALIVE_MS, missedKeepalives: MISSED });
    servers.push(s);
    return s;
  };
  const client = async (layer: ChannelLayer) => {
    const c = await openSignallingClient({ layer, logger: silentLogger, keepaliveMs: KEEPALIVE_MS, missedKeepalives: MISSED });
    clients.push(c);
    return c;
  };
  const spawn = async (role: 'server' | 'client', group = ''): Promise<{ child: ChildProcess; id: string; channel?: string }> => {
    const child = fork(fixture, [], {
      cwd: root,
      execArgv: ['--conditions=tributary-source', '--import', 'tsx'],
      env: { ...process.env, BROKERS: brokers.join(','), PREFIX: topics.prefix, MESSAGING_PREFIX: topics.messagingPrefix, ROLE: role, GROUP: group, KEEPALIVE_MS: String(KEEPALIVE_MS) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.on('message', (m: { ready?: string; channel?: string }) => m.ready && resolve({ child, id: m.ready, ...(m.channel ? { channel: m.channel } : {}) }));
      child.once('exit', (code) => reject(new Error(`the ${role} process exited with ${code} before it was ready`)));
    });
  };

  /** Kill `peer` with SIGKILL; the loss `watcher` reports, checked against the stated bound. */
  const killAndAwaitLoss = async (peer: { child: ChildProcess; id: string }, watcher: { onPeerLost(listener: (e: PeerLostEvent) => void): () => void }) => {
    const lost: Array<PeerLostEvent & { at: number }> = [];
    watcher.onPeerLost((e) => lost.push({ ...e, at: Date.now() }));
    const killedAt = Date.now();
    peer.child.kill('SIGKILL');
    await until(() => lost.length > 0, 10_000);
    expect(lost[0]).toMatchObject({ sessionId: peer.id, reason: 'missed-keepalives' });
    // Kafka round trips add to what the timers measure: allow 500 ms of them.
    expect(lost[0]!.silentMs).toBeLessThanOrEqual(BOUND_MS + 500);
    expect(lost[0]!.at - killedAt).toBeLessThanOrEqual(BOUND_MS + KEEPALIVE_MS + 500);
    return lost[0]!;
  };

  beforeAll(async () => {
    topics = await freshTopics(brokers);
    layers = kafkaLayers(brokers, topics);
    hub = createMessaging({ connection: { brokers, logger: silentLogger }, prefix: topics.messagingPrefix, logger: silentLogger, heartbeatMs: 500, sessionTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
    await layers?.close();
    await hub?.close();
  });

  it('answers every command with exactly one COMPLETE or EXCEPTION carrying its id', async () => {
    const s = await server();
    const [a, b] = [layers.layer(), layers.layer()];
    const [ca, cb] = [await client(a), await client(b)];
    const [x, y] = [await a.newChannel(), await b.newChannel()];
    // On the wire, from a plain session.
    const raw = await hub.openSession();
    const sent = [
      { id: 'w1', command: 'GROUP_ADD', properties: { group: 'wire', channel: x } },
      { id: 'w2', command: 'GROUP_DISCARD', properties: { group: 'wire', channel: x } },
      { id: 'w3', command: 'PRINT', properties: {} },
      { id: 'w4', command: 'KEEPALIVE', properties: { keepaliveMs: KEEPALIVE_MS } },
      { id: 'w5', command: 'GROUP_ADD', properties: { group: 'no good', channel: x } },
      { id: 'w6', command: 'FLUSH_CLIENT', properties: {} },
    ];
    const answers = await Promise.all(sent.map((m) => raw.sendRequestToPath<{ id: string; command: string; properties: Record<string, unknown> }>('tributary/signalling', m, { timeout: 10_000 })));
    expect(answers.map((r) => [r.id, r.command])).toEqual([
      ['w1', 'COMPLETE'],
      ['w2', 'COMPLETE'],
      ['w3', 'COMPLETE'],
      ['w4', 'COMPLETE'],
      ['w5', 'EXCEPTION'],
      ['w6', 'EXCEPTION'],
    ]);
    await raw.close();

    // Through clients: each of the seed's client commands, and the server's FLUSH_CLIENT and PERFORMANCE_REPORT.
    expect((await ca.groupAdd('room', x)).properties).toMatchObject({ group: 'room', channel: x, serverId: s.sessionId });
    await cb.groupAdd('room', y);
    await until(async () => (await b.groupMembers('room')).length === 2);
    expect((await b.groupSend('room', { type: 'hi' })).delivered).toHaveLength(2);
    expect((await ca.groupDiscard('room', y)).command).toBe('COMPLETE');
    expect((await cb.print()).properties.groups).toMatchObject({ room: [x] });
    await until(() => s.clients().filter((c) => c.components.some((p) => p.component === 'channel-layer')).length >= 2);
    const report = await ca.performance();
    expect(report.components.map((c) => c.component)).toEqual(expect.arrayContaining(['signalling-server', 'group-store', 'channel-layer']));
    expect(report.components.find((c) => c.component === 'group-store')).toMatchObject({ lagUnit: expect.any(String), errors: {} });
    expect((await cb.flush()).properties).toMatchObject({ dropped: 2 });
    expect(a.stats().buffered + b.stats().buffered).toBe(0);
    await expect(ca.groupAdd('room', 'not-a-channel')).rejects.toBeInstanceOf(SignallingCommandError);
    expect((await ca.keepalive()).properties.keepaliveMs).toBe(KEEPALIVE_MS);
    await s.close();
  });

  it('a client detects its server killed with SIGKILL by missed keepalives, within the stated bound', async () => {
    const peer = await spawn('server');
    const c = await client(layers.layer());
    await until(() => c.serverId === peer.id, 20_000);
    expect((await killAndAwaitLoss(peer, c)).peer).toBe('server');
    expect(c.serverId).toBeUndefined();
    // Another server takes over for the next command.
    const next = await server();
    expect((await c.print({ timeout: 10_000 })).properties.serverId).toBe(next.sessionId);
    await next.close();
  });

  it('a server detects a client killed with SIGKILL by missed keepalives, and discards its channels’ memberships', async () => {
    // The only server, so the client in the child keeps alive with this one.
    const s = await server();
    const peer = await spawn('client', 'killed');
    await until(() => s.groupMembers('killed').includes(peer.channel!) && s.clients().some((c) => c.sessionId === peer.id), 20_000);
    expect((await killAndAwaitLoss(peer, s)).peer).toBe('client');
    await until(() => s.groupMembers('killed').length === 0, 5000);
  });
});
