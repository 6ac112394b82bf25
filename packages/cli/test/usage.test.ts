import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { createProgram } from '../src/program.js';
import { root, runCli, startCli } from './run-cli.js';

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => [[...prefix, c.name()], ...commandPaths(c, [...prefix, c.name()])]);
}

/** What `tributary <path> --help` prints and exits with, run through the program in this process. */
async function helpOf(path: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const program = createProgram();
  const capture = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => void (stdout += s), writeErr: (s) => void (stderr += s) });
    c.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(['node', 'tributary', ...path, '--help']);
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    return { exitCode: (error as { exitCode?: number }).exitCode ?? 1, stdout, stderr };
  }
}

describe('tributary without a broker', () => {
  it('prints --help for the program and every command, exit 0', async () => {
    const paths = [[], ...commandPaths(createProgram())];
    expect(paths.length).toBeGreaterThan(3);
    // In this process, through the program the binary runs (a process per command would be a tsx start each);
    // the binary itself is run below and by every other test here.
    for (const path of paths) {
      const r = await helpOf(path);
      expect(r.exitCode, path.join(' ')).toBe(0);
      expect(r.stdout, path.join(' ')).toMatch(new RegExp(`^Usage: tributary${path.map((p) => ` ${p}`).join('')}`));
      expect(r.stderr, path.join(' ')).toBe('');
    }
    const spawned = await runCli(['topics', 'create', '--help']);
    expect(spawned).toMatchObject({ status: 0, stderr: '' });
    expect(spawned.stdout).toBe((await helpOf(['topics', 'create'])).stdout);
  }, 60_000);

  it('rejects an unknown command, a bad flag and a bad value with one line and exit 2', async () => {
    const unknown = await runCli(['topcis', 'list']);
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toBe("tributary: error: unknown command 'topcis' (Did you mean topics?)\n");

    const flag = await runCli(['topics', 'list', '--bogus']);
    expect(flag).toMatchObject({ status: 2, stdout: '', stderr: "tributary: error: unknown option '--bogus'\n" });

    const value = await runCli(['--brokers', '127.0.0.1:9', 'topics', 'create', 'x', '--partitions', 'many']);
    expect(value.status).toBe(2);
    expect(value.stderr).toMatch(/^tributary: error: option '-p, --partitions <n>' argument 'many' is invalid\. expected an integer >= 1, got "many"\n$/);
  }, 60_000);

  it('asks for brokers when none is given, and names a malformed one, exit 2', async () => {
    const none = await runCli(['topics', 'list']);
    expect(none).toMatchObject({ status: 2, stdout: '' });
    expect(none.stderr).toBe('tributary: INVALID_ARGUMENT: No brokers: pass --brokers host:port[,host:port], set KAFKA_BROKERS, or give a --config file with brokers\n');

    const bad = await runCli(['topics', 'list'], { env: { KAFKA_BROKERS: 'localhost' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^tributary: INVALID_ARGUMENT: .*brokers\[0\] must be 'host:port', got "localhost"\n$/);

    const file = await runCli(['--config', 'no/such/file.yaml', 'topics', 'list']);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/^tributary: INVALID_ARGUMENT: Cannot read the config file "no\/such\/file.yaml": ENOENT/);
  }, 60_000);

  it('fails on an unreachable broker within the timeout with one line, exit 1; --verbose adds the causes', async () => {
    const started = Date.now();
    const r = await runCli(['--brokers', '127.0.0.1:1', '--timeout', '300', '--retries', '0', 'topics', 'list']);
    expect(r).toMatchObject({ status: 1, stdout: '' });
    expect(r.stderr).toMatch(/^tributary: CONNECTION: Connecting to Kafka failed: .*ECONNREFUSED 127\.0\.0\.1:1\n$/);
    expect(Date.now() - started).toBeLessThan(15_000);

    const verbose = await runCli(['--brokers', '127.0.0.1:1', '--timeout', '300', '--retries', '0', '--verbose', 'topics', 'list']);
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toMatch(/tributary: CONNECTION: .*\n {2}caused by /);
  }, 60_000);
});

describe('Ctrl-C', () => {
  it('stops a command that is waiting for Kafka at once, exit 130', async () => {
    // A "broker" that accepts connections and never answers: the command waits for its first answer, and its
    // connecting tells the test it is up and waiting (a signal sent before its handler is installed would kill
    // it instead).
    const silent = createServer(() => {});
    const connected = once(silent, 'connection');
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const running = startCli(['--brokers', `127.0.0.1:${port}`, '--retries', '20', 'topics', 'list']);
      await connected;
      running.child.kill('SIGINT');
      const done = await running.done;
      expect(done).toMatchObject({ status: 130, stdout: '' });
    } finally {
      silent.close();
    }
  }, 60_000);
});

describe('the tributary bin', () => {
  it('runs from any working directory (as after npm i -g) and passes the exit code through', () => {
    const bin = join(root, 'packages', 'cli', 'bin', 'tributary.mjs');
    const help = spawnSync(bin, ['topics', 'create', '--help'], { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: '' } });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tributary topics create \[options\] <topic\.\.\.>/);
    const usage = spawnSync(bin, ['nope'], { cwd: tmpdir(), encoding: 'utf8' });
    expect(usage).toMatchObject({ status: 2, stdout: '' });
    expect(usage.stderr).toBe("tributary: error: unknown command 'nope'\n");
  }, 60_000);
});
