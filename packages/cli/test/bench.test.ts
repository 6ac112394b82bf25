import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('tributary bench', () => {
  it("hands the suites to pnpm bench's runner and exits with its code, adding nothing to its message", async () => {
    // The runner checks suite names before it starts a broker.
    const unknown = await runCli(['bench', 'producer', 'nosuch']);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('Unknown suite(s) nosuch');
    expect(unknown.stderr).toContain('Suites: broker, baseline, producer');
    expect(unknown.stderr).not.toContain('tributary:');
  }, 60_000);

  it('refuses a scale that is not a positive number and a suite that is not a name, exit 2', async () => {
    const scale = await runCli(['bench', '--scale', '0']);
    expect(scale).toMatchObject({ status: 2, stdout: '' });
    expect(scale.stderr).toBe(`tributary: error: option '--scale <n>' argument '0' is invalid. expected a number > 0 (a multiplier of every suite's record counts), got "0"\n`);
    const suite = await runCli(['bench', '--scale', '0.1', '../x']);
    expect(suite).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: INVALID_ARGUMENT: A suite is a name such as producer or round-trip, got "../x"\n' });
  }, 60_000);
});
