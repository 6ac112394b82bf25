import { describe, expect, it } from 'vitest';
import { installShutdownHandlers, type Stoppable } from '../../src/lifecycle/shutdown.js';

describe('installShutdownHandlers', () => {
  it('stops every target on SIGTERM with the deadline, once, and reports the outcome', async () => {
    const calls: Array<number | undefined> = [];
    const ok: Stoppable = { stop: async (o) => void calls.push(o?.deadlineMs) };
    const failing: Stoppable = { stop: async () => { throw new Error('late'); } };
    const outcomes: boolean[] = [];
    const uninstall = installShutdownHandlers([ok, failing], { exit: false, deadlineMs: 1234, onStopped: (v) => void outcomes.push(v) });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      process.emit('SIGTERM', 'SIGTERM');
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toEqual([1234]);
      expect(outcomes).toEqual([false]);
    } finally {
      uninstall();
    }
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});
