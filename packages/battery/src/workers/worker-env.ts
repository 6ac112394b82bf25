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

/**
 * Tell the battery this worker is ready once `ready` resolves, and call `stop` when it asks the worker to finish (a
 * graceful stop: the battery's faults use signals instead). The process exits when `stop` settles.
 */
export function serve(stop: () => Promise<void>, ready: Promise<unknown> = Promise.resolve()): void {
  const finish = () => {
    void stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('message', (m) => (m === 'stop' ? finish() : undefined));
  process.on('disconnect', finish);
  void ready.then(() => process.send?.('ready'), () => {});
}
