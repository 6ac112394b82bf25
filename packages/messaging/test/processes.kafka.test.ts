import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RequestTimeoutError, type Messaging, type MessagingSession, type SessionEvent } from '@tributary/messaging';
import { freshPrefix, hub } from './support/messaging.js';

const brokers = inject('kafkaBrokers');
const fixture = fileURLToPath(new URL('./fixtures/session-process.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Child {
  process: ChildProcess;
  id: string;
  handling: unknown[];
}

async function spawnSession(prefix: string, properties: Record<string, string>, slowMs = 1000): Promise<Child> {
  const child = fork(fixture, [], {
    cwd: root,
    execArgv: ['--conditions=tributary-source', '--import', 'tsx'],
    env: { ...process.env, BROKERS: brokers.join(','), PREFIX: prefix, PROPERTIES: JSON.stringify(properties), SLOW_MS: String(slowMs) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const handling: unknown[] = [];
  child.on('message', (m: { handling?: unknown }) => m.handling !== undefined && handling.push(m.handling));
  const id = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { ready?: string }) => m.ready && resolve(m.ready));
    child.once('exit', (code) => reject(new Error(`the session process exited with ${code} before it was ready`)));
  });
  return { process: child, id, handling };
}

describe('sessions in separate processes', () => {
  let prefix: string;
  let messaging: Messaging;
  let me: MessagingSession;
  const children: Child[] = [];

  beforeAll(async () => {
    prefix = await freshPrefix(brokers);
    messaging = hub(brokers, prefix);
    me = await messaging.openSession({ properties: { Role: 'client' } });
    children.push(...(await Promise.all([spawnSession(prefix, { Role: 'worker', Zone: 'a' }), spawnSession(prefix, { Role: 'worker', Zone: 'b' })])));
    await until(() => children.every((c) => me.session(c.id)?.registeredPaths.length === 2 && me.session(c.id)?.addressedPaths.includes('who')));
  });
  afterAll(async () => {
    for (const c of children) if (c.process.exitCode === null) c.process.kill('SIGKILL');
    await messaging?.close();
  });

  it('reaches other processes by path, by session id and by filter', async () => {
    const echo = await me.sendRequestToPath<{ echo: number; by: string }>('work/echo', 5);
    expect(echo.echo).toBe(5);
    expect(children.map((c) => c.id)).toContain(echo.by);
    for (const c of children) expect(await me.sendRequestToSession('who', c.id, null)).toEqual({ id: c.id, pid: c.process.pid });
    const all = await me.gatherRequestToFilter("Role is 'worker'", 'who', null);
    expect(all.expected).toBe(2);
    expect(all.responses.map((r) => (r.response as { id: string }).id).sort()).toEqual(children.map((c) => c.id).sort());
    const zoneB = await me.gatherRequestToFilter("Role is 'worker' and Zone ne 'a'", 'who', null);
    expect(zoneB.responses.map((r) => r.sessionId)).toEqual([children[1]!.id]);
  });

  it('a path keeps working when one handler is killed mid-request: every request ends, none hangs', async () => {
    const [victim, survivor] = children as [Child, Child];
    const events: SessionEvent[] = [];
    const stop = me.onSessionChange((e) => events.push(e));
    const timeout = 12_000;
    const started = Date.now();
    const outcomes = Array.from({ length: 10 }, (_, n) =>
      me.sendRequestToPath<{ done: number; by: string }>('work/slow', n, { timeout }).then(
        (r) => ({ n, by: r.by, at: Date.now() - started }),
        (e: unknown) => ({ n, error: e, at: Date.now() - started }),
      ),
    );
    await until(() => victim.handling.length > 0);
    victim.process.kill('SIGKILL');
    const results = await Promise.all(outcomes);
    stop();
    // Every request ended before its deadline plus a little, with a response or a timeout: none hung.
    for (const r of results) {
      expect(r.at).toBeLessThan(timeout + 2000);
      if ('error' in r) expect(r.error).toBeInstanceOf(RequestTimeoutError);
    }
    const answered = results.filter((r): r is { n: number; by: string; at: number } => 'by' in r);
    // The killed session's requests went to the survivor once the victim was seen gone.
    expect(answered.length).toBe(10);
    const byVictim = answered.filter((r) => r.by === victim.id);
    expect(byVictim).toEqual([]);
    expect(answered.every((r) => r.by === survivor.id)).toBe(true);
    expect(victim.handling.length).toBeGreaterThan(0);
    // It expired: gone from the view and from filters.
    expect(events).toContainEqual(expect.objectContaining({ type: 'removed', reason: 'expired', session: expect.objectContaining({ id: victim.id }) }));
    expect(me.sessions("Role is 'worker'").map((s) => s.id)).toEqual([survivor.id]);
    expect(await me.sendRequestToFilter("Role is 'worker'", 'who', null, { onResponse: () => {} })).toBe(1);
  });
});

async function until(probe: () => boolean | undefined, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
