import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The worker programs, by kind. */
const PROGRAMS = {
  producer: fileURLToPath(new URL('./producer.ts', import.meta.url)),
  member: fileURLToPath(new URL('./member.ts', import.meta.url)),
  requester: fileURLToPath(new URL('./requester.ts', import.meta.url)),
  responder: fileURLToPath(new URL('./responder.ts', import.meta.url)),
  'stream-writer': fileURLToPath(new URL('./stream-writer.ts', import.meta.url)),
  'stream-listener': fileURLToPath(new URL('./stream-listener.ts', import.meta.url)),
  commander: fileURLToPath(new URL('./commander.ts', import.meta.url)),
  processor: fileURLToPath(new URL('./processor.ts', import.meta.url)),
} as const;
export type WorkerKind = keyof typeof PROGRAMS;

/** One worker process the battery started; signalled only by its own pid. */
export class WorkerProcess {
  readonly name: string;
  readonly kind: WorkerKind;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #alive = true;

  constructor(name: string, kind: WorkerKind, child: ChildProcess) {
    this.name = name;
    this.kind = kind;
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => ((this.#alive = false), resolve({ code, signal }))));
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (m) => (m === 'ready' ? resolve() : undefined));
      void this.exited.then(({ code, signal }) => reject(new Error(`worker ${name} exited (${signal ?? code}) before it was ready`)));
    });
    this.ready.catch(() => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.#alive;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.#alive) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // It exited between the check and the signal.
    }
  }

  /** kill -9, and wait until it is gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** Ask it to finish its work and exit; kill -9 after `deadlineMs`. */
  async stop(deadlineMs = 30_000): Promise<void> {
    if (!this.#alive) return;
    this.signal('SIGCONT');
    if (this.child.connected) this.child.send('stop');
    const timer = setTimeout(() => this.signal('SIGKILL'), deadlineMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts the battery's workers as separate Node processes running their TypeScript source (as `scripts/run-ts.mjs`
 * does, but forked directly so the pid signalled is the worker's own), each with its history file and its stderr
 * in the history folder; remembers every one, so {@link killAll} leaves none behind even after a failure.
 */
export class Supervisor {
  readonly #dir: string;
  readonly #env: Record<string, string>;
  readonly #all: WorkerProcess[] = [];
  readonly #onExit = () => this.#killNow();

  constructor(historyDir: string, env: Record<string, string>) {
    this.#dir = historyDir;
    this.#env = env;
    process.once('exit', this.#onExit);
  }

  get workers(): readonly WorkerProcess[] {
    return this.#all;
  }

  start(kind: WorkerKind, name: string, settings: Record<string, string | number> = {}): WorkerProcess {
    const stderr = openSync(join(this.#dir, `${name}.stderr`), 'a');
    const env: Record<string, string> = { ...process.env, ...this.#env, BATTERY_WORKER: name, BATTERY_HISTORY: this.#dir };
    for (const [k, v] of Object.entries(settings)) env[`BATTERY_${k}`] = String(v);
    const child = fork(PROGRAMS[kind], [], { execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env, stdio: ['ignore', stderr, stderr, 'ipc'] });
    closeSync(stderr);
    const worker = new WorkerProcess(name, kind, child);
    this.#all.push(worker);
    return worker;
  }

  /** Every worker still running, SIGKILLed by its pid. */
  async killAll(): Promise<void> {
    const alive = this.#all.filter((w) => w.alive);
    await Promise.all(alive.map((w) => w.kill()));
    process.off('exit', this.#onExit);
  }

  #killNow(): void {
    for (const w of this.#all) w.signal('SIGKILL');
  }
}
