import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@tributary/kafka';
import { createMessaging, MemoryLogTransport, NoHandlerError, RequestFailedError, RequestTimeoutError, SessionNotFoundError, TypeMismatchError, type Messaging } from '@tributary/messaging';
import { AvroCodec, InMemorySchemaRegistry, InvalidArgumentError } from '@tributary/core';

// The hub on the memory transport: what users' unit tests get. The same flows run on Kafka in
// messaging.kafka.test.ts; here they run in milliseconds.
describe('messaging in memory', () => {
  const hubs: Messaging[] = [];
  const make = (transport: MemoryLogTransport) => {
    const hub = createMessaging({ transport, logger: silentLogger, heartbeatMs: 50, sessionTimeoutMs: 500 });
    hubs.push(hub);
    return hub;
  };
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.close()));
  });

  it('with stickyRequests, gives a burst to one handler session at a time, up to that many requests each', async () => {
    const transport = new MemoryLogTransport();
    const hub = createMessaging({ transport, logger: silentLogger, heartbeatMs: 50, sessionTimeoutMs: 500, stickyRequests: 4 });
    hubs.push(hub);
    const servers = await Promise.all([hub.openSession(), hub.openSession()]);
    for (const s of servers) await s.registerRequestHandler('echo', (x: number) => ({ x, by: s.id }));
    const client = await hub.openSession();
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => client.sendRequestToPath<{ x: number; by: string }>('echo', i)));
    // Runs of four to one session, then the other: 4, 4, 2.
    const runs: number[] = [];
    burst.forEach((r, i) => (i > 0 && r.by === burst[i - 1]!.by ? runs[runs.length - 1]!++ : runs.push(1)));
    expect(runs).toEqual([4, 4, 2]);
    // One request per turn of the event loop: every request to the next session.
    const oneByOne: string[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setImmediate(r));
      oneByOne.push((await client.sendRequestToPath<{ by: string }>('echo', i)).by);
    }
    expect(new Set([oneByOne[0], oneByOne[2]]).size).toBe(1);
    expect(oneByOne[0]).not.toBe(oneByOne[1]);
    expect(() => createMessaging({ transport, stickyRequests: 0 })).toThrow(InvalidArgumentError);
  });

  it('sends a path request to the handler session with the fewest of its requests waiting, the next in turn among equals', async () => {
    const transport = new MemoryLogTransport();
    const hub = make(transport);
    const servers = await Promise.all([hub.openSession(), hub.openSession()]);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const handled = new Map<string, number>();
    for (const s of servers) {
      await s.registerRequestHandler('work', async (x: number) => {
        handled.set(s.id, (handled.get(s.id) ?? 0) + 1);
        // The first request holds its handler, as a slow one would.
        if (x === 0) await gate;
        return { x, by: s.id };
      });
    }
    const client = await hub.openSession();
    const held = client.sendRequestToPath<{ by: string }>('work', 0);
    const answered: string[] = [];
    for (let i = 1; i <= 6; i++) answered.push((await client.sendRequestToPath<{ by: string }>('work', i)).by);
    // Every later request went to the session with nothing waiting; strict turns would have sent half to the held one.
    expect(new Set(answered).size).toBe(1);
    release();
    const slow = (await held).by;
    expect(answered[0]).not.toBe(slow);
    expect(handled.get(slow)).toBe(1);
    // With nothing waiting anywhere, requests go round every session.
    const round = await Promise.all(Array.from({ length: 6 }, (_, i) => client.sendRequestToPath<{ by: string }>('work', 10 + i)));
    expect(round.filter((r) => r.by === slow)).toHaveLength(3);
  });

  it('answers requests to a path (balanced), to a session, and to a filter', async () => {
    const transport = new MemoryLogTransport();
    const [a, b] = [make(transport), make(transport)];
    const servers = await Promise.all([a.openSession({ properties: { Zone: 'x' } }), b.openSession({ properties: { Zone: 'y' } })]);
    for (const s of servers) {
      await s.registerRequestHandler('echo', (x: number) => ({ x, by: s.id }));
      await s.addRequestHandler('who', () => s.properties.Zone, { addressed: true });
    }
    const client = await a.openSession();
    const by = await Promise.all(Array.from({ length: 10 }, (_, i) => client.sendRequestToPath<{ by: string }>('echo', i)));
    expect(by.filter((r) => r.by === servers[0]!.id)).toHaveLength(5);
    expect(await client.sendRequestToSession('who', servers[1]!.id, null)).toBe('y');
    const gathered = await client.gatherRequestToFilter("Zone in ['x', 'y']", 'who', null);
    expect(gathered.responses.map((r) => r.response).sort()).toEqual(['x', 'y']);
  });

  it('ends each request in one typed outcome', async () => {
    const transport = new MemoryLogTransport();
    const hub = make(transport);
    const server = await hub.openSession();
    const client = await hub.openSession();
    await server.registerRequestHandler('fail', () => {
      throw Object.assign(new Error('nope'), { code: 'E_NOPE' });
    });
    await server.registerRequestHandler('text', (s: string) => s.toUpperCase(), { requestType: 'string', responseType: 'string' });
    await server.registerRequestHandler('never', () => new Promise(() => {}));
    await expect(client.sendRequestToPath('fail', 1)).rejects.toMatchObject({ constructor: RequestFailedError, remoteCode: 'E_NOPE', message: 'nope' });
    await expect(client.sendRequestToPath('text', 'abc', { requestType: 'string' })).resolves.toBe('ABC');
    await expect(client.sendRequestToPath('text', 5)).rejects.toBeInstanceOf(TypeMismatchError);
    await expect(client.sendRequestToPath('none', 5)).rejects.toBeInstanceOf(NoHandlerError);
    await expect(client.sendRequestToSession('x', 'unknown', 5)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(client.sendRequestToPath('never', 5, { timeout: 100 })).rejects.toBeInstanceOf(RequestTimeoutError);
    const controller = new AbortController();
    const aborted = client.sendRequestToPath('never', 5, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(hub.requestsInFlight).toBe(0);
  });

  it('a closing session ends what it waits for, and others see it go', async () => {
    const transport = new MemoryLogTransport();
    const [a, b] = [make(transport), make(transport)];
    const server = await a.openSession();
    await server.registerRequestHandler('never', () => new Promise(() => {}));
    const client = await b.openSession();
    const waiting = client.sendRequestToPath('never', 1, { timeout: 10_000 });
    await client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'CONSUMER_STATE' });
    await expect(client.sendRequestToPath('never', 1)).rejects.toMatchObject({ code: 'CONSUMER_STATE' });
    expect(a.sessions().map((s) => s.id)).toEqual([server.id]);
  });

  it('carries Avro requests and responses through a Tributary codec, and names a value that does not fit its schema', async () => {
    const hub = make(new MemoryLogTransport());
    const quote = { type: 'record', name: 'Quote', fields: [{ name: 'sku', type: 'string' }, { name: 'price', type: 'double' }] } as const;
    const ask = { type: 'record', name: 'Ask', fields: [{ name: 'sku', type: 'string' }] } as const;
    // The codec's subject is the request path (category strategy); both sides share one schema registry.
    const registry = new InMemorySchemaRegistry();
    const avro = (schema: object) => ({ codec: new AvroCodec({ registry, subjectStrategy: 'category', schemas: { 'prices/quote': schema as never } }) });
    const server = await hub.openSession();
    await server.registerRequestHandler('prices/quote', (req: { sku: string }) => ({ sku: req.sku, price: 12.5 }), { requestType: avro(ask), responseType: avro(quote) });
    const client = await hub.openSession();
    await expect(client.sendRequestToPath('prices/quote', { sku: 'A-1' }, { requestType: avro(ask), responseType: avro(quote) })).resolves.toEqual({ sku: 'A-1', price: 12.5 });
    const misfit = await client.sendRequestToPath('prices/quote', { sku: 7 }, { requestType: avro(ask) }).catch((e: unknown) => e);
    expect(misfit).toBeInstanceOf(TypeMismatchError);
    expect((misfit as TypeMismatchError).message).toMatch(/its type is avro/);
  });

  it('checks options and arguments when given, naming them', async () => {
    expect(() => createMessaging({ transport: new MemoryLogTransport(), heartbeatMs: 1000, sessionTimeoutMs: 1500 })).toThrow(/sessionTimeoutMs/);
    expect(() => createMessaging({} as never)).toThrow(InvalidArgumentError);
    expect(() => createMessaging({ transport: new MemoryLogTransport(), prefix: 'a b' })).toThrow(/prefix/);
    const hub = make(new MemoryLogTransport());
    const s = await hub.openSession();
    await expect(s.registerRequestHandler('/bad', () => 1)).rejects.toThrow(/not a request path/);
    await expect(s.registerRequestHandler('ok', () => 1, { requestType: 'float' as never })).rejects.toThrow(/requestType/);
    await s.registerRequestHandler('ok', () => 1);
    await expect(s.registerRequestHandler('ok', () => 2)).rejects.toThrow(/already handles/);
    await expect(s.sendRequestToPath('ok', 1, { timeout: 0 })).rejects.toThrow(/timeout/);
    await expect(s.sendRequestToFilter("a is 'b'", 'ok', 1)).rejects.toThrow(/No response handler/);
    await expect(hub.openSession({ properties: { $Host: 'x' } })).rejects.toThrow(/properties\.\$Host/);
  });
});
