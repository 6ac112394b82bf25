import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ResponderSettings } from './round-trip-responder.js';

const ENTRY = fileURLToPath(new URL('./round-trip-responder.ts', import.meta.url));

/** Responder processes of the round-trip benchmark, started and stopped together. */
export interface ResponderProcesses {
  readonly pids: readonly number[];
  /** Resolves once every responder answers (and, for kafkajs, once `settled` holds for their latest joins). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Start `count` responders, each a Node process running round-trip-responder.ts from source (as the benchmark
 * itself runs). With `settled`, `ready` also waits until the latest assignment counts the responders reported
 * satisfy it (a consumer group sharing out the request partitions). A responder that exits early fails `ready`.
 */
export function spawnResponders(count: number, settings: ResponderSettings, settled?: (assigned: readonly number[]) => boolean, timeoutMs = 60_000): ResponderProcesses {
  const children: ChildProcess[] = [];
  const assigned = new Map<number, number>();
  let readyCount = 0;
  let done!: () => void;
  let fail!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((done = resolve), (fail = reject)));
  const check = () => {
    if (readyCount === count && (!settled || (assigned.size === count && settled([...assigned.values()])))) done();
  };
  const timer = setTimeout(() => fail(new Error(`responders not ready in ${timeoutMs} ms: ${readyCount} of ${count} answering, assignments ${[...assigned.values()].join(', ')}`)), timeoutMs);
  void ready.then(() => clearTimeout(timer), () => clearTimeout(timer));
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', ENTRY, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const fact = JSON.parse(line) as { ready?: boolean; assigned?: number };
      if (fact.ready) readyCount++;
      if (fact.assigned !== undefined) assigned.set(i, fact.assigned);
      check();
    });
    child.on('exit', (code, signal) => fail(new Error(`responder ${i} exited (${signal ?? code}) before the run ended`)));
  }
  return {
    pids: children.map((c) => c.pid!),
    ready,
    async close() {
      clearTimeout(timer);
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode !== null || c.signalCode !== null) return;
          const exited = once(c, 'exit');
          c.kill('SIGTERM');
          const force = setTimeout(() => c.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(force);
        }),
      );
    },
  };
}
