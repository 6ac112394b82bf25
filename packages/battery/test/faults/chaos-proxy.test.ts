import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@tributary/test-kit';
import { ChaosProxy } from '../../src/faults/chaos-proxy.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function echoServer(): Promise<Server> {
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return server;
}

async function proxied(): Promise<{ proxy: ChaosProxy; client: Socket; received: () => string; closed: Promise<Error | undefined> }> {
  const server = await echoServer();
  const proxy = new ChaosProxy(await freePort(), { host: '127.0.0.1', port: (server.address() as AddressInfo).port });
  await proxy.start();
  closers.push(() => proxy.close());
  const client = createConnection({ host: '127.0.0.1', port: proxy.port });
  closers.push(async () => void client.destroy());
  let text = '';
  client.on('data', (b: Buffer) => (text += b.toString()));
  const closed = new Promise<Error | undefined>((resolve) => {
    client.once('error', resolve);
    client.once('close', () => resolve(undefined));
  });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return { proxy, client, received: () => text, closed };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('the chaos proxy', () => {
  it('forwards bytes both ways', async () => {
    const { client, received } = await proxied();
    client.write('hello');
    await until(() => received() === 'hello');
    expect(received()).toBe('hello');
  });

  it('delays every chunk and keeps their order', async () => {
    const { proxy, client, received } = await proxied();
    proxy.delayMs = 150;
    const sent = Date.now();
    for (const part of ['a', 'b', 'c']) client.write(part);
    await until(() => received() === 'abc');
    expect(received()).toBe('abc');
    // Delayed on the way there and on the way back.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
  });

  it('resets every connection it carries', async () => {
    const { proxy, closed } = await proxied();
    await until(() => proxy.resetAll() > 0);
    const error = await closed;
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    expect(proxy.resets).toBe(1);
  });
});
