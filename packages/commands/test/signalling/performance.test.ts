import { describe, expect, it } from 'vitest';
import { PerformanceRecorder, percentiles } from '../../src/signalling/performance.js';

describe('performance recorder', () => {
  it('gives nearest-rank percentiles', () => {
    expect(percentiles([])).toBeNull();
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(values)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
    expect(percentiles([7])).toEqual({ p50: 7, p90: 7, p99: 7, max: 7 });
  });

  it('counts operations over its window, and errors by code since it started', () => {
    const recorder = new PerformanceRecorder('x', 'things waiting', 1000);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) recorder.record(i, 2);
    recorder.fail('TIMEOUT');
    recorder.fail('TIMEOUT');
    recorder.fail('CHANNEL_FULL');
    const now = recorder.snapshot(3, t0 + 500);
    expect(now).toMatchObject({ component: 'x', count: 20, lag: 3, lagUnit: 'things waiting', errors: { TIMEOUT: 2, CHANNEL_FULL: 1 } });
    expect(now.throughputPerSecond).toBeGreaterThan(0);
    expect(now.latencyMs).toMatchObject({ max: 9 });
    // Past the window, the operations are gone; the errors stay.
    expect(recorder.snapshot(0, t0 + 5000)).toMatchObject({ count: 0, latencyMs: null, errors: { TIMEOUT: 2 } });
  });
});
