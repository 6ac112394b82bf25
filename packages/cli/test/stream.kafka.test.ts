import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

describe('tributary stream', () => {
  it('a listener receives the header, then every message put after it, then close; and exits 0', async () => {
    const prefix = `cli-streams-${randomBytes(4).toString('hex')}`;
    const s = ['stream', '--prefix', prefix];
    expect((await runCli([...s, 'header', 'job-7', '{"status":"running","step":3}'], { env })).status).toBe(0);
    expect((await runCli([...s, 'put', 'job-7', '{"step":4}'], { env })).status).toBe(0);
    const listening = runCli([...s, 'listen', 'job-7'], { env, timeoutMs: 90_000 });
    const input = Array.from({ length: 20 }, (_, i) => JSON.stringify({ step: 5 + i })).join('\n');
    const put = await runCli([...s, 'put', 'job-7'], { env, input });
    expect(jsonLines(put.stdout)).toEqual([{ stream: 'job-7', put: 20 }]);
    expect((await runCli([...s, 'close', 'job-7'], { env })).status).toBe(0);

    const listened = await listening;
    expect(listened.stderr).toBe('');
    expect(listened.status).toBe(0);
    const deliveries = jsonLines(listened.stdout);
    expect(deliveries[0]).toMatchObject({ action: 'header', message: { status: 'running', step: 3 } });
    expect(deliveries.slice(1, -1).map((d) => (d.message as { step: number }).step)).toEqual(Array.from({ length: 21 }, (_, i) => 4 + i)); // no gap, no duplicate
    expect(deliveries.at(-1)).toMatchObject({ action: 'close', stream: 'job-7' });
  }, 180_000);

  it('a malformed line puts nothing, exit 2', async () => {
    const prefix = `cli-streams-${randomBytes(4).toString('hex')}`;
    const bad = await runCli(['stream', '--prefix', prefix, 'put', 'job-1'], { env, input: '{"step":1}\n{step:2}\n' });
    expect(bad).toMatchObject({ status: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^tributary: INVALID_ARGUMENT: line 2 must be JSON .*; nothing was sent\n$/);
    const from = await runCli(['stream', '--prefix', prefix, 'listen', 'job-1', '--from', 'yesterday'], { env });
    expect(from.status).toBe(2);
  }, 60_000);
});
