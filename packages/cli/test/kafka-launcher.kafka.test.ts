import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '@tributary/test-kit';
import { jsonLines, root, runCli } from './run-cli.js';

/** Whether something listens on the port (a JVM broker, here). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('tributary kafka', () => {
  it('up starts a broker in the background, status sees it, down stops its JVM', async () => {
    const port = await freePort();
    const p = ['--port', String(port)];
    const up = await runCli(['kafka', 'up', ...p], { timeoutMs: 200_000 });
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    expect(jsonLines(up.stdout)[0]).toMatchObject({ status: 'started', brokers: `127.0.0.1:${port}` });
    try {
      const again = await runCli(['kafka', 'up', ...p]);
      expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 'running', pid: jsonLines(up.stdout)[0]!.pid });
      const status = await runCli(['kafka', 'status', ...p]);
      expect(status.status).toBe(0);
      expect(jsonLines(status.stdout)[0]).toMatchObject({ status: 'running', nodes: 1 });
      expect((await runCli(['--brokers', `127.0.0.1:${port}`, 'topics', 'create', 'launched'])).status).toBe(0);
    } finally {
      const down = await runCli(['kafka', 'down', ...p], { timeoutMs: 90_000 });
      expect(down.status).toBe(0);
      expect(jsonLines(down.stdout)[0]).toMatchObject({ status: 'stopped' });
    }
    expect(await listening(port)).toBe(false);
    const gone = await runCli(['kafka', 'status', ...p]);
    expect(gone).toMatchObject({ status: 1, stdout: '' });
    expect(gone.stderr).toMatch(/^tributary: KAFKA_RUNTIME: No Kafka started by "tributary kafka up" is running/);
    expect((await runCli(['kafka', 'down', ...p])).status).toBe(1);
  }, 300_000);

  it('kill -INT of the `pnpm kafka start` wrapper (scripts/run-ts.mjs) stops the Kafka JVM', async () => {
    const port = await freePort();
    const wrapper = spawn(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), 'packages/test-kit/src/cli.ts', 'start', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrapper.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    wrapper.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => wrapper.on('exit', (code) => resolve(code)));
    try {
      await until(async () => out.includes('Kafka is running'), `the broker on ${port} (${out})`, 200_000);
      expect(await listening(port)).toBe(true);
      wrapper.kill('SIGINT'); // the wrapper's pid alone, not its process group
      expect(await exited).toBe(0);
      await until(async () => !(await listening(port)), `port ${port} to close`, 30_000);
    } finally {
      wrapper.kill('SIGKILL');
    }
  }, 300_000);
});
