import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Line } from './raw-client.js';
import { drain, freshStream, messagesOf, SUITE_LIMITS, type SuiteContext } from './suite-helpers.js';

const script = fileURLToPath(new URL('../fixtures/raw-client-process.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../../', import.meta.url));

/** The raw-protocol client of fixtures/raw-client-process.ts in a process of its own. */
function startClient(env: Record<string, string>) {
  const child = fork(script, [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: Record<string, unknown>[] = [];
  child.on('message', (m: Record<string, unknown>) => messages.push(m));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const message = async <T>(key: string): Promise<T> => {
    const deadline = Date.now() + 100_000;
    while (!messages.some((m) => key in m)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the client process sent no ${key} (exit code ${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return messages.find((m) => key in m) as T;
  };
  return { message, exited, kill: () => child.kill() };
}

const seqs = (count: number) => Array.from({ length: count }, (_, i) => ({ seq: i }));

/** The gateway driven by clients in other processes, speaking the protocol by hand. */
export function gatewayProcessTests(ctx: () => SuiteContext): void {
  it('is driven by a publisher in another process, its bad lines answered and its good ones all delivered', async () => {
    const s = freshStream();
    const subscription = await (await ctx().remote()).listen(s);
    const { host, port } = ctx().address;
    const client = startClient({ MODE: 'publish', HOST: host, PORT: String(port), STREAM: s, COUNT: '2000', OVERSIZE: String(2 * SUITE_LIMITS.maxLineBytes) });
    try {
      const { bad, errors } = await client.message<{ bad: Record<string, number>; errors: Line[] }>('bad');
      expect(errors.map((e) => [e.line, (e.error as { reason: string }).reason])).toEqual([
        [bad.malformed, 'not-json'],
        [bad.oversized, 'line-too-long'],
        [bad.unknown, 'unknown-action'],
      ]);
      // It listened before the stream existed: every put from the start (a header set later is not a delivery).
      expect(messagesOf(await drain(subscription))).toEqual([...seqs(2000), 'close']);
      expect(await client.exited).toBe(0);
    } finally {
      client.kill();
    }
  });

  it('serves a listener in another process', async () => {
    const s = freshStream();
    const { host, port } = ctx().address;
    const client = startClient({ MODE: 'listen', HOST: host, PORT: String(port), STREAM: s });
    try {
      await client.message('listening');
      const publisher = await ctx().remote();
      for (let seq = 0; seq < 500; seq++) await publisher.put(s, { seq });
      await publisher.close(s);
      const { deliveries } = await client.message<{ deliveries: Line[] }>('deliveries');
      expect(deliveries.map((d) => (d.action === 'close' ? 'close' : d.message))).toEqual([...seqs(500), 'close']);
      expect(deliveries.every((d) => d.stream === s)).toBe(true);
      expect(await client.exited).toBe(0);
    } finally {
      client.kill();
    }
  });
}
