import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');
export const entry = join(here, '..', 'src', 'tributary.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `tributary <args>` as a user would: its own process, from source, stdout piped (so JSON lines), `input`
 * written to stdin. The environment has no KAFKA_BROKERS unless `env` gives it.
 */
export function runCli(args: readonly string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** A running `tributary <args>`: its process (to signal), its output so far, and its result once it exits. */
export interface RunningCli {
  readonly child: ChildProcess;
  output(): { stdout: string; stderr: string };
  readonly done: Promise<CliResult>;
}

/** Start `tributary <args>` as {@link runCli} does, without waiting for it (a server, a follower). */
export function startCli(args: readonly string[], options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: '', ...options.env };
  const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', entry, ...args], { cwd: root, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
  return { child, output: () => ({ stdout, stderr }), done };
}

/** The JSON lines of a command's stdout. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
