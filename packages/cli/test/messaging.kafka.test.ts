import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli, startCli, type RunningCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

async function serving(server: RunningCli): Promise<string> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const match = /session (\S+) serves/.exec(server.output().stderr);
    if (match) return match[1]!;
    if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`The server did not start: ${server.output().stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tributary serve and request', () => {
  it('answers a request to a path, to a session and to a filter; SIGINT stops a server with exit 0', async () => {
    const prefix = `cli-messaging-${randomBytes(4).toString('hex')}`;
    const quotes = startCli(['serve', 'prices/quote', '-P', 'Role=pricing', '--prefix', prefix], { env, timeoutMs: 150_000 });
    const status = startCli(['serve', 'status', '--addressed', '-P', 'Role=pricing', '--reply', '{"ok":true}', '--prefix', prefix], { env, timeoutMs: 150_000 });
    try {
      const quotesId = await serving(quotes);
      const statusId = await serving(status);

      const byPath = await runCli(['request', 'prices/quote', '{"sku":"A-1"}', '--prefix', prefix], { env });
      expect(byPath.stderr).toBe('');
      expect(jsonLines(byPath.stdout)).toEqual([{ response: { path: 'prices/quote', request: { sku: 'A-1' }, by: quotesId } }]);

      const bySession = await runCli(['request', 'status', '--session', statusId, '--prefix', prefix], { env });
      expect(jsonLines(bySession.stdout)).toEqual([{ response: { ok: true } }]);

      const byFilter = await runCli(['request', 'status', '--filter', "Role is 'pricing'", '--prefix', prefix, '--wait', '5000'], { env });
      expect(byFilter.status).toBe(1); // the quotes session has no handler for status
      expect(jsonLines(byFilter.stdout)).toContainEqual({ session: statusId, response: { ok: true } });
      expect(byFilter.stderr).toBe('tributary: REQUEST_FAILED: 1 of 2 sessions matching the filter failed (their errors are printed above)\n');

      const nowhere = await runCli(['request', 'nowhere', '--prefix', prefix, '--wait', '3000'], { env });
      expect(nowhere).toMatchObject({ status: 1, stdout: '', stderr: 'tributary: NO_HANDLER: No session handles requests to path "nowhere"\n' });

      expect(jsonLines(quotes.output().stdout)).toEqual([{ path: 'prices/quote', from: expect.any(String), request: { sku: 'A-1' } }]);
    } finally {
      quotes.child.kill('SIGINT');
      status.child.kill('SIGINT');
    }
    expect((await quotes.done).status).toBe(0);
    expect((await status.done).status).toBe(0);
  }, 240_000);

  it('refuses a request that is not JSON, exit 2', async () => {
    const r = await runCli(['request', 'p', '{nope'], { env });
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^tributary: INVALID_ARGUMENT: the request must be JSON/);
  }, 60_000);
});
