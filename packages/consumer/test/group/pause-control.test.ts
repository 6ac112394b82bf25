import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PauseControl } from '../../src/group/pause-control.js';
import type { TopicPartition } from '@tributary/kafka';

const p0 = { topic: 't', partition: 0 };
const p1 = { topic: 't', partition: 1 };

function control() {
  const calls: string[] = [];
  const name = (p: TopicPartition) => `${p.topic}:${p.partition}`;
  const c = new PauseControl({ pause: (p) => void calls.push(`pause ${name(p)}`), resume: (p) => void calls.push(`resume ${name(p)}`) }, { initialDelayMs: 100, maxDelayMs: 400 });
  return { c, calls };
}

describe('PauseControl', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pauses a blocked partition and resumes it after a back-off that grows until a record settles', () => {
    const { c, calls } = control();
    expect(c.block(p0)).toBe(100);
    expect(c.isPaused(p0)).toBe(true);
    vi.advanceTimersByTime(100);
    expect(calls).toEqual(['pause t:0', 'resume t:0']);
    expect(c.isPaused(p0)).toBe(false);
    expect(c.block(p0)).toBe(200);
    vi.advanceTimersByTime(200);
    expect(c.block(p0)).toBe(400);
    vi.advanceTimersByTime(400);
    expect(c.block(p0)).toBe(400);
    vi.advanceTimersByTime(400);
    c.settled(p0);
    expect(c.block(p0)).toBe(100);
  });

  it('keeps a partition paused until both the user and the dead letter let it go', () => {
    const { c, calls } = control();
    c.pauseByUser([p0], [p0, p1]);
    c.block(p0);
    vi.advanceTimersByTime(1000);
    expect(c.isPaused(p0)).toBe(true);
    c.resumeByUser([p0], [p0, p1]);
    expect(c.isPaused(p0)).toBe(false);
    expect(calls).toEqual(['pause t:0', 'resume t:0']);
  });

  it("pauses every partition with 'all', also those assigned later, and applies pauses again after a rebalance", () => {
    const { c, calls } = control();
    c.pauseByUser('all', [p0]);
    c.assign([p0, p1]);
    expect(c.isPaused(p1)).toBe(true);
    expect(calls).toEqual(['pause t:0', 'pause t:0', 'pause t:1']);
    c.resumeByUser('all', [p0, p1]);
    expect(c.isPaused(p0) || c.isPaused(p1)).toBe(false);
  });

  it('drops dead-letter pauses of partitions no longer owned, and of sought ones', () => {
    const { c, calls } = control();
    c.block(p0);
    c.block(p1);
    c.assign([p1]);
    expect(c.isPaused(p0)).toBe(false);
    c.unblock(p1);
    expect(c.isPaused(p1)).toBe(false);
    expect(calls).toEqual(['pause t:0', 'pause t:1', 'pause t:1', 'resume t:1']);
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(4);
  });
});

describe('PauseControl, resuming some after pausing all', () => {
  it('resumes those named and keeps the other owned partitions paused', () => {
    const { c } = control();
    c.pauseByUser('all', [p0, p1]);
    c.resumeByUser([p1], [p0, p1]);
    expect(c.isPaused(p0)).toBe(true);
    expect(c.isPaused(p1)).toBe(false);
    expect(c.pausedByUser([p0, p1])).toEqual([p0]);
  });
});
