import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, type TributaryError } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { MemoryLogTransport, NoHandlerError, RequestTimeoutError } from '@tributary/messaging';
import { SignallingCommandError } from '../../src/errors.js';
import { openSignallingClient } from '../../src/signalling/signalling-client.js';
import { openSignallingServer } from '../../src/signalling/signalling-server.js';
import { SignallingCommands } from '../../src/signalling/signalling-message.js';
import { until, within } from '../channels/support.js';
import { memorySignalling, raw } from './support.js';

describe('signalling in memory', () => {
  const s = memorySignalling();
  afterEach(() => s.close());

  it('answers every command on the wire with exactly one COMPLETE or EXCEPTION carrying its id', async () => {
    const server = await s.server();
    const layer = s.layers.layer();
    const channel = await layer.newChannel();
    const session = await s.hub().openSession();
    const sent = [
      { id: 'c1', command: 'GROUP_ADD', properties: { group: 'room', channel } },
      { id: 'c2', command: 'GROUP_DISCARD', properties: { group: 'room', channel } },
      { id: 'c3', command: 'FLUSH', properties: {} },
      { id: 'c4', command: 'PRINT', properties: {} },
      { id: 'c5', command: 'KEEPALIVE', properties: { keepaliveMs: 100 } },
      // This session has no client handler to take the PERFORMANCE_REPORT: an EXCEPTION, with the id.
      { id: 'c6', command: 'PERFORMANCE', properties: {} },
      { id: 'c7', command: 'GROUP_ADD', properties: { group: 'bad group', channel } },
      { id: 'c8', command: 'COMPLETE', properties: {} },
      { id: 'c9', command: 'GROUP_ADD', properties: { group: 'room' } },
    ];
    const answers = await Promise.all(sent.map((m) => raw(session, m)));
    expect(answers.map((a) => a.id)).toEqual(sent.map((m) => m.id));
    expect(answers.map((a) => a.command)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'EXCEPTION', 'EXCEPTION', 'EXCEPTION', 'EXCEPTION']);
    for (const a of answers) expect(a.properties.serverId).toBe(server.sessionId);
    expect(answers[6]!.properties).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('bad group') });
    expect(answers[7]!.properties.message).toContain('not accepted here');
    // A message without an id cannot be answered with one: the request fails (RequestFailedError), it does not hang.
    await expect(raw(session, { command: 'FLUSH' })).rejects.toMatchObject({ code: 'REQUEST_FAILED' });
    expect(SignallingCommands.KEEPALIVE).toBe('HARTBEAT');
  });

  it('a client for a channel layer: group commands reach every layer, FLUSH reaches every client, PRINT and PERFORMANCE report', async () => {
    const server = await s.server();
    const [a, b] = [s.layers.layer(), s.layers.layer()];
    const [clientA, clientB] = [await s.client({ layer: a }), await s.client({ layer: b })];
    expect(clientA.serverId).toBe(server.sessionId);
    const [x, y] = [await a.newChannel(), await b.newChannel()];
    const added = await clientA.groupAdd('room', x);
    expect(added).toMatchObject({ command: 'COMPLETE', properties: { group: 'room', channel: x, serverId: server.sessionId } });
    await clientB.groupAdd('room', y);
    await until(async () => (await a.groupMembers('room')).length === 2);
    expect((await b.groupSend('room', { type: 'hello' })).delivered).toHaveLength(2);
    await clientA.groupDiscard('room', y);
    await until(async () => (await b.groupMembers('room')).length === 1);

    const printed = await clientA.print();
    expect(printed.properties.groups).toEqual({ room: [x] });
    expect(printed.properties.text).toContain(`room: ${x}`);

    // Let a keepalive carry each layer's performance, then ask for the report.
    const buffered = (sessionId: string) => server.clients().find((c) => c.sessionId === sessionId)?.components.find((x) => x.component === 'channel-layer')?.lag;
    await until(() => buffered(clientA.sessionId) === 1 && buffered(clientB.sessionId) === 1);
    const report = await clientB.performance();
    expect(report.serverId).toBe(server.sessionId);
    const names = report.components.map((c) => `${c.component}${c.session ? `@${c.session}` : ''}`);
    expect(names).toEqual(expect.arrayContaining(['signalling-server', 'group-store', `channel-layer@${clientA.sessionId}`, `channel-layer@${clientB.sessionId}`]));
    const serverPart = report.components.find((c) => c.component === 'signalling-server')!;
    expect(serverPart.count).toBeGreaterThan(0);
    expect(serverPart.latencyMs).toMatchObject({ p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
    expect(report.components.find((c) => c.session === clientA.sessionId)).toMatchObject({ lag: 1, lagUnit: expect.stringContaining('buffered') });

    // x holds the "hello"; y's layer holds one too. FLUSH drops both, and every membership.
    expect(a.stats().buffered + b.stats().buffered).toBe(2);
    const flushed = await clientB.flush();
    expect(flushed.properties).toMatchObject({ clients: 2, dropped: 2 });
    expect(a.stats().buffered + b.stats().buffered).toBe(0);
    expect(server.groupMembers('room')).toEqual([]);
  });

  it('an EXCEPTION rejects the command with its id; no server is NoHandlerError; a silent server is a timeout', async () => {
    await s.server();
    const client = await s.client();
    const error = await client.groupAdd('bad group', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignallingCommandError);
    expect((error as SignallingCommandError).remoteCode).toBe('INVALID_ARGUMENT');
    await expect(client.command('COMPLETE' as never)).rejects.toBeInstanceOf(InvalidArgumentError);

    const lonely = await openSignallingClient({ messaging: s.hub(), logger: silentLogger, keepaliveMs: 100, path: 'nobody/here' });
    await expect(lonely.print()).rejects.toBeInstanceOf(NoHandlerError);
    await lonely.close();

    const silent = await s.hub().openSession();
    await silent.registerRequestHandler('silent/signalling', () => new Promise(() => {}));
    const waiting = await openSignallingClient({ messaging: s.hub(), logger: silentLogger, keepaliveMs: 100, path: 'silent/signalling', commandTimeoutMs: 250 });
    const started = Date.now();
    await expect(within(waiting.flush(), 2000, 'FLUSH to a silent server')).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    await waiting.close();
  });

  it('a client reports its server lost when keepalives stop, and moves to another server', async () => {
    const first = await s.server();
    const client = await s.client();
    expect(client.serverId).toBe(first.sessionId);
    const second = await s.server();
    const lost: Array<{ sessionId: string; reason: string }> = [];
    client.onPeerLost((e) => lost.push(e));
    await first.close();
    await until(() => lost.length === 1);
    expect(lost[0]).toMatchObject({ sessionId: first.sessionId, reason: 'closed' });
    const print = await client.print();
    expect(print.properties.serverId).toBe(second.sessionId);
    expect(client.serverId).toBe(second.sessionId);
  });

  it('a server that stops answering is reported lost after the stated number of missed keepalives', async () => {
    const stalled = await s.hub().openSession();
    let answering = true;
    const answer = (m: { id: string }) => (answering ? { id: m.id, command: 'COMPLETE', properties: { serverId: stalled.id, keepaliveMs: 100 } } : new Promise(() => {}));
    await stalled.registerRequestHandler('stall/signalling', answer);
    await stalled.addRequestHandler('stall/signalling', answer, { addressed: true });
    const client = await openSignallingClient({ messaging: s.hub(), logger: silentLogger, keepaliveMs: 100, missedKeepalives: 3, path: 'stall/signalling' });
    expect(client.serverId).toBe(stalled.id);
    const lost: Array<{ reason: string; silentMs: number; at: number }> = [];
    client.onPeerLost((e) => lost.push({ ...e, at: Date.now() }));
    answering = false;
    const stoppedAt = Date.now();
    await until(() => lost.length > 0, 3000);
    expect(lost[0]!.reason).toBe('missed-keepalives');
    // The bound: 3 × 100 ms + 100 / 4, counted from the last keepalive heard (at most one interval before the stop),
    // with 200 ms for timers that fire late on a loaded machine.
    const slack = 200;
    expect(lost[0]!.silentMs).toBeLessThanOrEqual(3 * 100 + 25 + slack);
    expect(lost[0]!.at - stoppedAt).toBeLessThanOrEqual(3 * 100 + 25 + 100 + slack);
    expect(client.serverId).toBeUndefined();
    await client.close();
  });

  it('a server reports a silent client lost and discards its channels’ memberships', async () => {
    const server = await s.server({ keepaliveMs: 100, missedKeepalives: 3 });
    const layer = s.layers.layer();
    const [mine, other] = [await layer.newChannel(), await s.layers.layer().newChannel()];
    const ghost = await (await layer.session());
    // The layer's session speaks once (a KEEPALIVE) and has no client handler: the server hears no more from it.
    await raw(ghost, { id: 'k1', command: 'KEEPALIVE', properties: { keepaliveMs: 100 } });
    await layer.groupAdd('g', mine);
    await layer.groupAdd('g', other);
    const lost: string[] = [];
    server.onPeerLost((e) => lost.push(`${e.sessionId}:${e.reason}`));
    await until(() => lost.length === 1, 3000);
    expect(lost).toEqual([`${ghost.id}:missed-keepalives`]);
    await until(() => server.groupMembers('g').length === 1);
    expect(server.groupMembers('g')).toEqual([other]);
  });

  it('checks options at construction, naming the option', async () => {
    const transport = new MemoryLogTransport();
    const bad: Array<[() => Promise<unknown>, string]> = [
      [() => openSignallingServer({ transport, keepaliveMs: 5 }), 'keepaliveMs'],
      [() => openSignallingServer({ transport, missedKeepalives: 1 }), 'missedKeepalives'],
      [() => openSignallingServer({ transport, path: '/x' }), 'path'],
      [() => openSignallingServer({ transport, print: 'stdout' as never }), 'print'],
      [() => openSignallingServer({ transport, discardMembershipsOfLostClients: 1 as never }), 'discardMembershipsOfLostClients'],
      [() => openSignallingServer({}), 'connection'],
      [() => openSignallingClient({}), 'layer'],
      [() => openSignallingClient({ messaging: {} as never }), 'messaging'],
      [() => openSignallingClient({ messaging: s.hub(), commandTimeoutMs: 0 }), 'commandTimeoutMs'],
    ];
    for (const [open, option] of bad) {
      const error = await open().catch((e: unknown) => e);
      expect(error, option).toBeInstanceOf(InvalidArgumentError);
      expect((error as TributaryError).context.option, option).toBe(option);
    }
  });
});
