import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { RemoteStream, type StreamDelivery } from '@tributary/streams';
import { jsonLines, runCli, startCli, type RunningCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The address the gateway prints as its first line. */
function listening(gateway: RunningCli): Promise<{ host: string; port: number }> {
  return until(() => {
    const first = gateway.output().stdout.split('\n')[0];
    return first && gateway.output().stdout.includes('\n') ? (JSON.parse(first) as { host: string; port: number }) : undefined;
  }, 'the gateway to listen', 90_000);
}

describe('tributary gateway', () => {
  it('relays a stream the command line writes to a client of the JSON-lines gateway, and stops on SIGINT with 0', async () => {
    const prefix = `cli-gateway-${randomBytes(4).toString('hex')}`;
    const gateway = startCli(['gateway', '--port', '0', '--prefix', prefix], { env, timeoutMs: 150_000 });
    const address = await listening(gateway);
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);

    const remote = await RemoteStream.connect({ port: address.port });
    const deliveries: StreamDelivery[] = [];
    try {
      const s = ['stream', '--prefix', prefix];
      expect((await runCli([...s, 'header', 'job-9', '{"status":"running"}'], { env })).status).toBe(0);
      await remote.listen('job-9', { put: (d) => void deliveries.push(d) });
      const input = Array.from({ length: 5 }, (_, i) => JSON.stringify({ step: i })).join('\n');
      expect((await runCli([...s, 'put', 'job-9'], { env, input })).status).toBe(0);
      expect((await runCli([...s, 'close', 'job-9'], { env })).status).toBe(0);
      // On a timeout, the comparison below shows what did arrive.
      await until(() => (deliveries.at(-1)?.action === 'close' ? true : undefined), 'the close to reach the gateway client').catch(() => undefined);
      expect(deliveries.map((d) => d.action)).toEqual(['header', 'put', 'put', 'put', 'put', 'put', 'close']);
      expect(deliveries.filter((d) => d.action === 'put').map((d) => (d as { message: { step: number } }).message.step)).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await remote.disconnect();
    }

    gateway.child.kill('SIGINT');
    const done = await gateway.done;
    expect(done).toMatchObject({ status: 0, stderr: '' });
    expect(jsonLines(done.stdout)).toEqual([{ listening: `127.0.0.1:${address.port}`, host: '127.0.0.1', port: address.port }]);
  }, 180_000);

  it('fails on a port that is taken (exit 1) and refuses one that is no port (exit 2)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const busy = await runCli(['gateway', '--port', String(port), '--prefix', `cli-gateway-${randomBytes(4).toString('hex')}`], { env, timeoutMs: 90_000 });
      expect(busy).toMatchObject({ status: 1, stdout: '' });
      expect(busy.stderr).toMatch(new RegExp(`^tributary: CONNECTION: The stream gateway cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*\\n$`));
    } finally {
      taken.close();
    }
    const bad = await runCli(['gateway', '--port', '70000'], { env });
    expect(bad).toMatchObject({ status: 2, stdout: '' });
    expect(bad.stderr).toBe(`tributary: error: option '-p, --port <port>' argument '70000' is invalid. expected a TCP port from 0 to 65535, got "70000"\n`);
  }, 150_000);
});
