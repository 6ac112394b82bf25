import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Registry } from 'prom-client';
import {
  ALL_USER_PROPERTIES,
  NoHandlerError,
  RequestFailedError,
  RequestTimeoutError,
  SessionFilterSyntaxError,
  SessionNotFoundError,
  TypeMismatchError,
  type Messaging,
  type MessagingSession,
  type SessionEvent,
} from '@tributary/messaging';
import { freshPrefix, hub } from './support/messaging.js';

const brokers = inject('kafkaBrokers');

describe('messaging against a real broker', () => {
  let prefix: string;
  let a: Messaging;
  let b: Messaging;
  const registry = new Registry();

  beforeAll(async () => {
    prefix = await freshPrefix(brokers);
    a = hub(brokers, prefix, { metrics: { registry } });
    b = hub(brokers, prefix);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('answers a request to a path, with the sender properties the handler asked for', async () => {
    const server = await a.openSession({ properties: { Country: 'UK', Team: 'pricing' } });
    const client = await b.openSession({ properties: { Country: 'FR', Tier: 'gold' } });
    const seen: Array<Record<string, string>> = [];
    await server.registerRequestHandler('prices/quote', (req: { sku: string }, ctx) => {
      seen.push({ ...ctx.properties, from: ctx.sessionId, path: ctx.path, handlerPath: ctx.handlerPath });
      return { sku: req.sku, price: 12 };
    }, { sessionProperties: ['$Host', ALL_USER_PROPERTIES] });
    await until(() => client.session(server.id)?.registeredPaths.includes('prices/quote'));
    expect(await client.sendRequestToPath('prices/quote', { sku: 'A-1' })).toEqual({ sku: 'A-1', price: 12 });
    // The most specific registered path handles a path below it.
    expect(await client.sendRequestToPath('prices/quote/eu', { sku: 'B-2' })).toEqual({ sku: 'B-2', price: 12 });
    expect(seen[0]).toEqual({ Country: 'FR', Tier: 'gold', $Host: client.properties.$Host, from: client.id, path: 'prices/quote', handlerPath: 'prices/quote' });
    expect(seen[1]).toMatchObject({ path: 'prices/quote/eu', handlerPath: 'prices/quote' });
    await Promise.all([server.close(), client.close()]);
  });

  it('balances a path between its registered sessions, each request answered once', async () => {
    const servers = await Promise.all([a.openSession(), b.openSession()]);
    const counts = new Map<string, number>();
    for (const s of servers) await s.registerRequestHandler('work/balanced', (n: number, ctx) => (counts.set(s.id, (counts.get(s.id) ?? 0) + 1), { n, by: s.id, req: ctx.requestId }));
    const client = await a.openSession();
    await until(() => servers.every((s) => client.session(s.id)?.registeredPaths.includes('work/balanced')));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => client.sendRequestToPath<{ n: number; by: string }>('work/balanced', n)));
    expect(answers.map((x) => x.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect([...counts.values()].reduce((x, y) => x + y)).toBe(40);
    expect(counts.get(servers[0]!.id)).toBe(20);
    expect(counts.get(servers[1]!.id)).toBe(20);
    await Promise.all([...servers, client].map((s) => s.close()));
  });

  it('sends to a session by id, and names what is missing', async () => {
    const server = await b.openSession();
    const client = await a.openSession();
    await server.addRequestHandler('admin/ping', (x: string) => `pong ${x}`, { addressed: true, requestType: 'string', responseType: 'string' });
    await until(() => client.session(server.id)?.addressedPaths.includes('admin/ping'));
    expect(await client.sendRequestToSession('admin/ping', server.id, 'one', { requestType: 'string', responseType: 'string' })).toBe('pong one');
    await expect(client.sendRequestToSession('admin/ping', 'no-such-session', 'x')).rejects.toBeInstanceOf(SessionNotFoundError);
    const noHandler = await client.sendRequestToSession('admin/other', server.id, 'x').catch((e: unknown) => e);
    expect(noHandler).toBeInstanceOf(NoHandlerError);
    expect((noHandler as NoHandlerError).context).toEqual({ path: 'admin/other', sessionId: server.id });
    await expect(client.sendRequestToPath('nobody/handles', 1)).rejects.toBeInstanceOf(NoHandlerError);
    await Promise.all([server.close(), client.close()]);
  });

  it('ends every request in one outcome: handler errors, type mismatches, timeouts', async () => {
    const server = await a.openSession();
    const client = await b.openSession();
    let called = 0;
    await server.registerRequestHandler('calc/fail', () => {
      called++;
      throw Object.assign(new Error('inventory is closed'), { code: 'E_CLOSED' });
    });
    await server.registerRequestHandler('calc/int', (x: bigint) => (called++, x * 2n), { requestType: 'int64', responseType: 'int64' });
    await server.registerRequestHandler('calc/bad-response', () => (called++, 'not a number'), { responseType: 'double' });
    await server.registerRequestHandler('calc/slow', (_: unknown, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('late'))));
    await until(() => client.session(server.id)?.registeredPaths.length === 4);

    const failed = await client.sendRequestToPath('calc/fail', {}).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RequestFailedError);
    expect(failed).toMatchObject({ message: 'inventory is closed', remoteCode: 'E_CLOSED' });

    expect(await client.sendRequestToPath('calc/int', 21n, { requestType: 'int64', responseType: 'int64' })).toBe(42n);
    const before = called;
    const mismatch = await client.sendRequestToPath('calc/int', 'twenty-one').catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(TypeMismatchError);
    expect((mismatch as TypeMismatchError).context).toMatchObject({ expected: 'int64', actual: 'json', direction: 'request' });
    expect(called).toBe(before);
    const badResponse = await client.sendRequestToPath('calc/bad-response', null).catch((e: unknown) => e);
    expect(badResponse).toBeInstanceOf(TypeMismatchError);
    expect((badResponse as TypeMismatchError).context).toMatchObject({ expected: 'double', direction: 'response' });
    const wrongExpectation = await client.sendRequestToPath('calc/int', 1n, { requestType: 'int64', responseType: 'string' }).catch((e: unknown) => e);
    expect((wrongExpectation as TypeMismatchError).context).toMatchObject({ expected: 'string', actual: 'int64', direction: 'response' });

    const started = Date.now();
    const timedOut = await client.sendRequestToPath('calc/slow', 1, { timeout: 400 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    await Promise.all([server.close(), client.close()]);
  });

  it('sends to a filter: each matching session answers once; no match sends nothing; a bad filter names line and column', async () => {
    const members = await Promise.all(['UK', 'UK', 'FR', 'UK', 'DE', 'UK', 'UK'].map((Country, i) => (i % 2 ? a : b).openSession({ properties: { Country, Index: String(i) } })));
    let calls = 0;
    for (const m of members) await m.addRequestHandler('notify', (x: number) => (calls++, { index: m.properties.Index, x }), { addressed: true });
    const sender = await a.openSession();
    await until(() => members.every((m) => sender.session(m.id)?.addressedPaths.includes('notify')));
    const gathered = await sender.gatherRequestToFilter("Country is 'UK'", 'notify', 7);
    expect(gathered.expected).toBe(5);
    expect(gathered.partial).toBe(false);
    expect(gathered.errors).toEqual([]);
    expect(gathered.responses.map((r) => r.sessionId).sort()).toEqual(members.filter((m) => m.properties.Country === 'UK').map((m) => m.id).sort());

    const viaHandler: string[] = [];
    sender.addFilterResponseHandler("Country in ['FR', 'DE']", (sessionId) => viaHandler.push(sessionId));
    expect(await sender.sendRequestToFilter("Country in ['FR', 'DE']", 'notify', 1)).toBe(2);
    await until(() => viaHandler.length === 2);

    calls = 0;
    expect(await sender.sendRequestToFilter("Country is 'JP'", 'notify', 1, { onResponse: () => calls++ })).toBe(0);
    const bad = (() => {
      try {
        sender.sessions("Country is 'UK' and\n  (Index >");
      } catch (e) {
        return e;
      }
    })();
    expect(bad).toBeInstanceOf(SessionFilterSyntaxError);
    expect(bad).toMatchObject({ line: 2, column: 11 });
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(0);
    await Promise.all([...members, sender].map((s) => s.close()));
  });

  it('ends each of many mixed requests exactly once, and counts as many outcomes as requests sent', async () => {
    const server = await b.openSession();
    const client = await a.openSession();
    await server.registerRequestHandler('mixed', async (n: number) => {
      if (n % 5 === 1) throw new Error(`failed ${n}`);
      if (n % 5 === 2) await new Promise((r) => setTimeout(r, 1500));
      return n;
    });
    await until(() => client.session(server.id)?.registeredPaths.includes('mixed'));
    const before = await outcomes(registry);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, n) => (n % 5 === 3 ? client.sendRequestToPath('mixed', `text ${n}`, { requestType: 'string', timeout: 1000 }) : n % 5 === 4 ? client.sendRequestToPath('nowhere', n, { timeout: 1000 }) : client.sendRequestToPath('mixed', n, { timeout: 1000 }))),
    );
    const kinds = results.map((r, n) => [n % 5, r.status === 'fulfilled' ? 'response' : (r.reason as { code: string }).code]);
    const expected: Record<number, string> = { 0: 'response', 1: 'REQUEST_FAILED', 2: 'TIMEOUT', 3: 'TYPE_MISMATCH', 4: 'NO_HANDLER' };
    for (const [bucket, kind] of kinds) expect(kind, `bucket ${bucket}`).toBe(expected[bucket as number]);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual(Array.from({ length: 40 }, (_, i) => i * 5));
    const after = await outcomes(registry);
    expect(after.total - before.total).toBe(200);
    // The slow handlers answer after their requests timed out: dropped as late, counted.
    await until(() => false, 1000).catch(() => {});
    expect(await dropped(registry, 'late')).toBeGreaterThanOrEqual(40);
    await Promise.all([server.close(), client.close()]);
  });

  it('tells every session when one appears, changes and goes, and counts what it did', async () => {
    const watcher = await a.openSession();
    const events: SessionEvent[] = [];
    const stop = watcher.onSessionChange((e) => events.push(e));
    const other = await b.openSession({ properties: { Role: 'temp' } });
    await other.registerRequestHandler('temp/x', () => 1);
    await other.close();
    await until(() => events.some((e) => e.type === 'removed' && e.session.id === other.id));
    const mine = events.filter((e) => e.session.id === other.id).map((e) => e.type);
    expect(mine).toEqual(['added', 'changed', 'removed']);
    expect(events.find((e) => e.type === 'removed')).toMatchObject({ reason: 'closed' });
    stop();
    await watcher.close();
    const text = await registry.metrics();
    expect(text).toMatch(/tributary_messaging_request_outcomes_total\{route="path",outcome="response"\} [1-9]/);
    expect(text).toMatch(/tributary_messaging_request_duration_seconds_count\{route="path"\} [1-9]/);
  });
});

async function outcomes(registry: Registry): Promise<{ total: number }> {
  const metric = (await registry.getSingleMetric('tributary_messaging_request_outcomes_total')?.get())?.values ?? [];
  return { total: metric.reduce((n, v) => n + v.value, 0) };
}

async function dropped(registry: Registry, reason: string): Promise<number> {
  const metric = (await registry.getSingleMetric('tributary_messaging_responses_dropped_total')?.get())?.values ?? [];
  return metric.filter((v) => v.labels.reason === reason).reduce((n, v) => n + v.value, 0);
}

async function until(probe: () => boolean | undefined, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type { MessagingSession };
