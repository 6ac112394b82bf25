import { HistoryWriter } from '../history.js';

/** What every worker process is given through its environment by the battery that spawned it. */
export interface WorkerEnv {
  brokers: string[];
  /** The worker's name, unique in the run (and so its history file's name). */
  name: string;
  history: HistoryWriter;
  /** Further settings, as the battery wrote them (`BATTERY_<NAME>`). */
  setting(name: string, fallback?: string): string;
  numeric(name: string, fallback: number): number;
}

export function workerEnv(): WorkerEnv {
  const need = (key: string) => {
    const value = process.env[key];
    if (!value) throw new Error(`The battery worker needs ${key} in its environment`);
    return value;
  };
  const name = need('BATTERY_WORKER');
  const setting = (key: string, fallback?: string) => process.env[`BATTERY_${key}`] ?? fallback ?? need(`BATTERY_${key}`);
  return {
    brokers: need('BATTERY_BROKERS').split(','),
    name,
    history: new HistoryWriter(need('BATTERY_HISTORY'), name),
    setting,
    numeric: (key, fallback) => Number(setting(key, String(fallback))),
  };
}

/**
 * Run `start` until it succeeds, at most `attempts` times a second apart while it fails with a retriable error: a
 * connection closed while a worker starts on a starved machine must not leave the run without that worker.
 */
export async function startWithRetries<T>(start: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || (error as { retriable?: unknown }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** How a worker runs: what tells it is ready, the work whose failure ends it, and its graceful stop. */
export interface WorkerRun {
  /** Resolves once the worker does its part; the battery is told then. Default: at once. */
  readonly ready?: Promise<unknown>;
  /** The worker's own work (its start, its loop): when it fails, the worker says why and exits with 1. */
  readonly work?: Promise<unknown>;
  /** Stop taking work and close: the battery asked the worker to finish (its faults use signals instead). */
  readonly stop: () => Promise<void>;
}

/**
 * Tell the battery this worker is ready once `ready` resolves; exit with 1 if `work` fails; when the battery asks
 * the worker to finish, call `stop`, close the worker's history, and exit when that settles.
 */
export function serve(env: WorkerEnv, run: WorkerRun): void {
  const fail = (error: unknown) => {
    console.error(error);
    process.exit(1);
  };
  run.work?.catch(fail);
  const finish = () => {
    void run.stop().then(() => {
      env.history.close();
      process.exit(0);
    }, fail);
  };
  process.on('message', (m) => (m === 'stop' ? finish() : undefined));
  process.on('disconnect', finish);
  void (run.ready ?? Promise.resolve()).then(() => process.send?.('ready'), () => {});
}
