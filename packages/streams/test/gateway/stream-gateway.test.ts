import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import { RemoteStreamError } from '../../src/errors.js';
import { RemoteStream } from '../../src/gateway/remote-stream.js';
import { createStreamGateway, type StreamGateway } from '../../src/gateway/stream-gateway.js';
import type { StreamGatewayOptions } from '../../src/gateway/options.js';
import { Point } from '../codec/generate.js';
import { gatewaySuite } from './support/gateway-suite.js';
import { MemoryStreamService, type MemoryStreamServiceOptions } from './support/memory-stream-service.js';
import { RawClient } from './support/raw-client.js';
import { drain, freshStream, messagesOf, pointCodec, rejection, take } from './support/suite-helpers.js';

// The gateway's behaviour over the in-memory fake; the broker test runs the same suite over the Kafka hub.
gatewaySuite('in-memory service', () => ({ service: new MemoryStreamService() }));

/** A gateway on a fresh fake, closed by `await using`. */
async function gatewayOn(service: MemoryStreamService | MemoryStreamServiceOptions = {}, options: StreamGatewayOptions = {}) {
  const fake = service instanceof MemoryStreamService ? service : new MemoryStreamService(service);
  const gateway = createStreamGateway(fake, options);
  const address = await gateway.listen();
  return { fake, gateway, address, [Symbol.asyncDispose]: () => gateway.close() };
}

const until = (probe: () => boolean) => expect.poll(probe, { timeout: 15_000 }).toBe(true);

describe('StreamGateway limits', () => {
  it('cuts a client that leaves more than maxQueuedBytes unread, with a last line saying why, and hangs up its listeners', async () => {
    // A service that does not wait for its listeners: the gateway alone must bound what waits for the client.
    await using g = await gatewayOn({ awaitListeners: false }, { maxQueuedBytes: 64 * 1024 });
    const s = freshStream();
    const slow = await RawClient.connect(g.address);
    slow.request({ action: 'listen', stream: s, id: 1 });
    await slow.answer(1);
    slow.stopReading();
    await using other = await RemoteStream.connect(g.address);
    const fine = await other.listen(s);
    const padding = 'x'.repeat(16 * 1024);
    let seq = 0;
    while (g.fake.listenerCount(s) === 2) {
      await g.fake.put(s, { seq: seq++, padding });
      await new Promise((r) => setImmediate(r));
    }
    expect(g.fake.listenerCount(s)).toBe(1);
    slow.startReading();
    await slow.until(() => slow.ended);
    const puts = slow.of('put').map((l) => (l.message as { seq: number }).seq);
    expect(puts).toEqual(Array.from({ length: puts.length }, (_, i) => i));
    expect(slow.lines.at(-1)).toEqual({
      action: 'error',
      error: { code: 'CONNECTION', reason: 'slow-client', retriable: true, message: expect.stringMatching(/^Disconnected: \d+ bytes were waiting unread for this client, and the next line would pass maxQueuedBytes \(65536\)$/) },
    });
    await g.fake.close(s);
    expect(messagesOf(await drain(fine))).toHaveLength(seq + 1);
    await until(() => g.gateway.connectionCount === 1);
  });

  it('passes a delivery larger than maxQueuedBytes to a client that keeps up', async () => {
    await using g = await gatewayOn({}, { maxQueuedBytes: 1024 });
    const s = freshStream();
    await using client = await RemoteStream.connect(g.address);
    const subscription = await client.listen(s);
    await g.fake.put(s, 'y'.repeat(100_000));
    await g.fake.close(s);
    expect(messagesOf(await drain(subscription))).toEqual(['y'.repeat(100_000), 'close']);
  });

  it('slows a publisher by TCP rather than buffering its lines', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const fake = new MemoryStreamService();
    const put = fake.put.bind(fake);
    let calls = 0;
    fake.put = async (stream, message) => {
      calls++;
      await held;
      return put(stream, message);
    };
    await using g = await gatewayOn(fake, { maxLineBytes: 1024 });
    const client = await RawClient.connect(g.address);
    const line = `${JSON.stringify({ action: 'put', stream: 's', message: 'z'.repeat(900) })}\n`;
    for (let i = 0; i < 5000; i++) client.send(line);
    await new Promise((r) => setTimeout(r, 300));
    // One request in the service, and the gateway reads no further than about a line ahead of it.
    expect(calls).toBe(1);
    release();
    client.request({ action: 'close', stream: 's', id: 'end' });
    expect(await client.answer(5001)).toMatchObject({ action: 'ack' });
    expect(calls).toBe(5000);
    client.close();
  });
});

describe('StreamGateway and its service', () => {
  it("answers a service's failure with its code, or UNKNOWN for a foreign error, and goes on", async () => {
    await using g = await gatewayOn({
      failWith: (action, stream) =>
        stream === 'down' ? new TributaryError(ErrorCodes.CONNECTION, 'the log is away', { retriable: true }) : stream === 'bug' && action === 'put' ? new Error('oops') : undefined,
    });
    await using client = await RemoteStream.connect(g.address);
    const down = (await rejection(client.setHeader('down', 1))) as RemoteStreamError;
    expect(down).toBeInstanceOf(RemoteStreamError);
    expect(down).toMatchObject({ code: ErrorCodes.CONNECTION, remoteCode: 'CONNECTION', reason: 'service', retriable: true, message: 'Line 1 (header) failed: the log is away' });
    const bug = (await rejection(client.put('bug', 1))) as RemoteStreamError;
    expect(bug).toMatchObject({ code: ErrorCodes.REQUEST_FAILED, remoteCode: 'UNKNOWN', reason: 'service', retriable: false, message: 'Line 2 (put) failed: oops' });
    await client.put('fine', 1);
  });

  it('revives registered classes before the service sees them, and refuses a version it does not know', async () => {
    await using g = await gatewayOn({}, { codec: pointCodec() });
    const s = freshStream();
    await using client = await RemoteStream.connect({ ...g.address, codec: pointCodec() });
    const seen: unknown[] = [];
    await g.fake.listen(s, { put: (d) => void seen.push(d.action === 'put' ? d.message : d.action) });
    await client.put(s, new Point(1, 2));
    expect(seen[0]).toBeInstanceOf(Point);
    const raw = await RawClient.connect(g.address);
    raw.request({ action: 'put', stream: s, id: 1, message: { '.class': 'geo.point', '.version': '0.9', '.state': { x: 0, y: 0 } } });
    expect(await raw.answer(1)).toMatchObject({ action: 'error', id: 1, stream: s, error: { code: 'DECODE_FAILED', reason: 'undecodable-message' } });
    raw.close();
  });

  it("ends a listener whose message the gateway's codec cannot write, saying why, rather than leave a gap", async () => {
    await using g = await gatewayOn({}, { codec: pointCodec() });
    const s = freshStream();
    await using client = await RemoteStream.connect(g.address);
    const subscription = await client.listen(s);
    await g.fake.put(s, new Date(0));
    const [close] = await drain(subscription);
    expect(close).toMatchObject({ action: 'close', stream: s, reason: expect.stringMatching(/^a message could not be written for this client: .*class Date is not a registered message class/) });
    await until(() => g.fake.listenerCount(s) === 0);
  });

  it("hangs up a connection's listeners when the client is found gone (at the next line written to it)", async () => {
    await using g = await gatewayOn();
    const client = await RawClient.connect(g.address);
    client.request({ action: 'listen', stream: 'a', id: 1 });
    client.request({ action: 'listen', stream: 'b', id: 2 });
    await client.answer(2);
    expect(g.fake.listenerCount()).toBe(2);
    client.request({ action: 'listen', stream: 'a', id: 3 });
    expect(await client.answer(3)).toMatchObject({ action: 'error', error: { reason: 'already-listening' } });
    client.close();
    // A client gone looks like one that only stopped sending, until a write to it fails.
    for (let i = 0; g.fake.listenerCount() > 0 && i < 1000; i++) {
      await g.fake.put('a', i);
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => g.fake.listenerCount() === 0 && g.gateway.connectionCount === 0);
  });

  it('keeps delivering to a client that stopped sending but still listens', async () => {
    await using g = await gatewayOn();
    const client = await RawClient.connect(g.address);
    client.request({ action: 'listen', stream: 'a' });
    client.end();
    await until(() => g.fake.listenerCount('a') === 1);
    await g.fake.put('a', 'still heard');
    await g.fake.close('a');
    // Its last listener ended and it sends nothing more: the gateway closes the connection.
    await client.until(() => client.ended);
    expect(client.lines.map((l) => l.action === 'close' ? 'close' : l.message)).toEqual(['still heard', 'close']);
  });

  it('finishes the requests of a client that stops sending, then closes its connection', async () => {
    await using g = await gatewayOn();
    const s = freshStream();
    const seen: unknown[] = [];
    await g.fake.listen(s, { put: (d) => void seen.push(d.action === 'put' ? d.message : d.action) });
    const client = await RawClient.connect(g.address);
    for (let i = 0; i < 100; i++) client.request({ action: 'put', stream: s, message: i });
    // The last line has no newline: the end of input ends it.
    client.send(JSON.stringify({ action: 'close', stream: s }));
    client.end();
    await client.until(() => client.ended);
    expect(seen).toEqual([...Array.from({ length: 100 }, (_, i) => i), 'close']);
  });
});

describe('StreamGateway lifecycle', () => {
  it('closes: clients told why, their iterators thrown the reason, every listener hung up', async () => {
    const fake = new MemoryStreamService();
    const gateway: StreamGateway = createStreamGateway(fake);
    const address = await gateway.listen();
    expect(await gateway.listen()).toEqual(address);
    expect(gateway.address).toEqual(address);
    const client = await RemoteStream.connect(address);
    const subscription = await client.listen('s');
    const heard: unknown[] = [];
    await client.listen('t', { put: (d) => void heard.push(d) });
    await fake.put('s', 1);
    expect(messagesOf(await take(subscription, 1))).toEqual([1]);
    await gateway.close();
    const error = (await rejection(subscription.next())) as RemoteStreamError;
    expect(error).toMatchObject({ code: ErrorCodes.CONNECTION, reason: 'gateway-closing', retriable: true, message: 'The stream gateway is closing' });
    expect(heard).toEqual([{ action: 'close', stream: 't', reason: 'The stream gateway is closing' }]);
    expect(await rejection(client.put('s', 2))).toBe(error);
    expect(fake.listenerCount()).toBe(0);
    await expect(gateway.listen()).rejects.toThrow(InvalidArgumentError);
    await gateway.close();
    await client.disconnect();
  });

  it('reports a port it cannot listen on', async () => {
    await using g = await gatewayOn();
    const second = createStreamGateway(g.fake, { port: g.address.port });
    const error = (await rejection(second.listen())) as TributaryError;
    expect(error).toMatchObject({ code: ErrorCodes.CONNECTION, context: { port: g.address.port } });
    expect(error.message).toMatch(/^The stream gateway cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it.each([
    [{ host: '' }, 'host'],
    [{ port: 70000 }, 'port'],
    [{ port: 1.5 }, 'port'],
    [{ maxLineBytes: 0 }, 'maxLineBytes'],
    [{ maxQueuedBytes: -1 }, 'maxQueuedBytes'],
    [{ codec: {} }, 'codec'],
  ])('refuses the options %j, naming the option', (options, option) => {
    const make = () => createStreamGateway(new MemoryStreamService(), options as StreamGatewayOptions);
    expect(make).toThrow(InvalidArgumentError);
    expect(make).toThrow(`Stream gateway option ${option} is `);
  });

  it('refuses a service that is not one', () => {
    expect(() => createStreamGateway({} as never)).toThrow('A stream gateway needs a StreamService');
  });
});
