import type { ChildProcess } from 'node:child_process';

/**
 * Every JVM this process started and has not yet seen exit. When the Node process exits for any reason, each
 * is killed by its pid, so no broker outlives the run that started it. Only pids we started are signalled.
 */
const live = new Set<ChildProcess>();
let hooked = false;

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of live) {
        try {
          if (c.pid) process.kill(c.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }
}

/** How many started JVMs are still running. */
export function liveProcessCount(): number {
  return live.size;
}
