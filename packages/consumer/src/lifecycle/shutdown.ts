import { messageOf, silentLogger, type Logger as ConsumerLogger } from '@tributary/kafka';

/** Anything that stops within a deadline: a ConsumerGroup, an EventReader. */
export interface Stoppable {
  stop(options?: { deadlineMs?: number }): Promise<void>;
}

export interface ShutdownOptions {
  /** Default ['SIGTERM', 'SIGINT']. */
  signals?: readonly NodeJS.Signals[];
  /** Deadline handed to each stop(), ms. Default 30000. */
  deadlineMs?: number;
  /**
   * Exit the process once everything stopped: code 0, or 1 when a stop failed or passed its deadline. Default
   * true: once a handler is installed, Node no longer exits on the signal by itself. A second signal while
   * stopping exits at once with code 130.
   */
  exit?: boolean;
  logger?: ConsumerLogger;
  /** Called once everything stopped, with whether every stop succeeded (before exiting). */
  onStopped?: (ok: boolean) => void;
}

/**
 * Stop `targets` gracefully on SIGTERM or SIGINT (what Kubernetes and Ctrl-C send): each one drains its
 * in-flight handlers, commits and leaves its group within the deadline, all at once. Returns a function that
 * removes the signal handlers.
 */
export function installShutdownHandlers(targets: Stoppable | readonly Stoppable[], options: ShutdownOptions = {}): () => void {
  const list = Array.isArray(targets) ? [...(targets as readonly Stoppable[])] : [targets as Stoppable];
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const logger = options.logger ?? silentLogger;
  const exit = options.exit ?? true;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      if (exit) process.exit(130);
      return;
    }
    stopping = true;
    logger.info({ signal, targets: list.length }, 'signal received: stopping');
    void Promise.allSettled(list.map((t) => t.stop({ deadlineMs: options.deadlineMs ?? 30_000 }))).then((results) => {
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const f of failed) logger.error({ err: messageOf(f.reason) }, 'stop failed');
      const ok = failed.length === 0;
      options.onStopped?.(ok);
      if (exit) process.exit(ok ? 0 : 1);
    });
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
