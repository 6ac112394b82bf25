import { createServer, type AddressInfo, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@tributary/core';
import { RemoteStreamError } from '../../src/errors.js';
import { RemoteStream } from '../../src/gateway/remote-stream.js';
import { createStreamGateway } from '../../src/gateway/stream-gateway.js';
import type { StreamDelivery } from '../../src/stream-service.js';
import { MemoryStreamService } from './support/memory-stream-service.js';
import { drain, freshStream, messagesOf, rejection, take } from './support/suite-helpers.js';

async function gatewayOn(fake = new MemoryStreamService()) {
  const gateway = createStreamGateway(fake);
  const address = await gateway.listen();
  return { fake, gateway, address, [Symbol.asyncDispose]: () => gateway.close() };
}

/** A TCP server that answers every connection with `reply` (a gateway that breaks the protocol). */
async function liar(reply: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('data', () => socket.write(reply)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

const until = (probe: () => boolean) => expect.poll(probe, { timeout: 15_000 }).toBe(true);

describe('RemoteStream connecting', () => {
  it('fails with a retriable connect-failed error naming the address when no gateway listens', async () => {
    const { server, port } = await liar('');
    await new Promise((r) => server.close(r));
    const error = (await rejection(RemoteStream.connect({ port }))) as RemoteStreamError;
    expect(error).toBeInstanceOf(RemoteStreamError);
    expect(error).toMatchObject({ code: ErrorCodes.CONNECTION, reason: 'connect-failed', retriable: true });
    expect(error.message).toMatch(new RegExp(`^Cannot connect to the stream gateway at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('stops when its signal aborts', async () => {
    const error = (await rejection(RemoteStream.connect({ port: 1, signal: AbortSignal.abort(new Error('not now')) }))) as RemoteStreamError;
    expect(error).toMatchObject({ code: ErrorCodes.ABORTED, reason: 'connect-failed', message: 'Cannot connect to the stream gateway at 127.0.0.1:1: not now' });
  });

  it.each([
    [{}, 'port'],
    [{ port: 0 }, 'port'],
    [{ port: 1, host: 7 }, 'host'],
    [{ port: 1, maxQueued: 0 }, 'maxQueued'],
    [{ port: 1, maxLineBytes: 1.5 }, 'maxLineBytes'],
    [{ port: 1, connectTimeoutMs: -5 }, 'connectTimeoutMs'],
    [{ port: 1, codec: { toJson: () => 1 } }, 'codec'],
    [{ port: 1, signal: 'stop' }, 'signal'],
  ])('refuses the options %j, naming the option', async (options, option) => {
    const error = await rejection(RemoteStream.connect(options as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toMatch(new RegExp(`^RemoteStream option ${option} is `));
  });

  it('rejects what is pending when the gateway breaks the protocol, and refuses requests after', async () => {
    const { server, port } = await liar('this is not json\n');
    try {
      const client = await RemoteStream.connect({ port });
      const error = (await rejection(client.put('s', 1))) as RemoteStreamError;
      expect(error).toMatchObject({ code: ErrorCodes.CONNECTION, reason: 'protocol', retriable: false });
      expect(error.message).toMatch(/^The stream gateway broke the protocol: /);
      expect(await rejection(client.put('s', 2))).toBe(error);
      await client.disconnect();
    } finally {
      server.close();
    }
  });
});

describe('RemoteStream listening', () => {
  it('hangs up on the gateway when a for-await loop is left early', async () => {
    await using g = await gatewayOn();
    await using client = await RemoteStream.connect(g.address);
    const s = freshStream();
    const subscription = await client.listen(s);
    await g.fake.put(s, 1);
    await g.fake.put(s, 2);
    for await (const delivery of subscription) {
      expect(delivery).toMatchObject({ action: 'put', message: 1 });
      break;
    }
    await until(() => g.fake.listenerCount(s) === 0);
    // The stream can be listened to again on the same connection.
    const again = await client.listen(s, { from: 'start' });
    expect(messagesOf(await take(again, 2))).toEqual([1, 2]);
  });

  it('loses nothing when the loop reads slower than the stream is written', async () => {
    await using g = await gatewayOn();
    await using client = await RemoteStream.connect({ ...g.address, maxQueued: 10 });
    const s = freshStream();
    const subscription = await client.listen(s);
    for (let i = 0; i < 2000; i++) await g.fake.put(s, { i, pad: 'p'.repeat(1000) });
    await g.fake.close(s);
    const got: unknown[] = [];
    for await (const delivery of subscription) {
      if (got.length % 100 === 0) await new Promise((r) => setTimeout(r, 1));
      got.push(delivery.action === 'put' ? (delivery.message as { i: number }).i : delivery.action);
    }
    expect(got).toEqual([...Array.from({ length: 2000 }, (_, i) => i), 'close']);
  });

  it('drops a StreamListener whose put throws, and hangs it up on the gateway', async () => {
    await using g = await gatewayOn();
    await using client = await RemoteStream.connect(g.address);
    const s = freshStream();
    await client.listen(s, {
      put: () => {
        throw new Error('cannot take it');
      },
    });
    await g.fake.put(s, 1);
    await until(() => g.fake.listenerCount(s) === 0);
  });

  it('hangs up one listener from every stream it listens to, and no other', async () => {
    await using g = await gatewayOn();
    await using client = await RemoteStream.connect(g.address);
    const [a, b, c] = [freshStream(), freshStream(), freshStream()];
    const mine: StreamDelivery[] = [];
    const listener = { put: (d: StreamDelivery) => void mine.push(d) };
    await client.listen(a, listener);
    await client.listen(b, listener);
    const other = await client.listen(c);
    await client.hangup(null, listener);
    expect([g.fake.listenerCount(a), g.fake.listenerCount(b), g.fake.listenerCount(c)]).toEqual([0, 0, 1]);
    await g.fake.put(c, 'still');
    expect(messagesOf(await take(other, 1))).toEqual(['still']);
  });

  it('tells a StreamListener, with a close and its reason, that the connection was lost', async () => {
    const g = await gatewayOn();
    const client = await RemoteStream.connect(g.address);
    const heard: StreamDelivery[] = [];
    await client.listen('s', { put: (d) => void heard.push(d) });
    const iterated = await client.listen('t');
    await g.gateway.close();
    await until(() => heard.length === 1);
    expect(heard[0]).toEqual({ action: 'close', stream: 's', reason: 'The stream gateway is closing' });
    expect(await rejection(iterated.next())).toMatchObject({ reason: 'gateway-closing' });
    await client.disconnect();
  });
});

describe('RemoteStream disconnecting', () => {
  it('waits for the answers to requests already sent, then ends its iterators', async () => {
    await using g = await gatewayOn();
    const client = await RemoteStream.connect(g.address);
    const s = freshStream();
    const listened = freshStream();
    const subscription = await client.listen(listened);
    const puts = Array.from({ length: 200 }, (_, i) => client.put(s, i));
    await client.disconnect();
    await Promise.all(puts);
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    // Hung up before leaving: the gateway let go of the listener at once.
    expect(g.fake.listenerCount(listened)).toBe(0);
    const error = (await rejection(client.put(s, 'late'))) as RemoteStreamError;
    expect(error).toMatchObject({ code: ErrorCodes.CONNECTION, reason: 'disconnected' });
    await using reader = await RemoteStream.connect(g.address);
    const all = await reader.listen(s, { from: 'start' });
    await g.fake.close(s);
    expect(messagesOf(await drain(all))).toEqual([...Array.from({ length: 200 }, (_, i) => i), 'close']);
    await client.disconnect();
  });
});
