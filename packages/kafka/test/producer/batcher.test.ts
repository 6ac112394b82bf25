import { describe, expect, it } from 'vitest';
import { Batcher } from '../../src/producer/batcher.js';

function recorder(delayMs = 5) {
  const requests: number[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const batcher = new Batcher<number, string>({
    lingerMs: 0,
    maxBatchBytes: 100,
    flush: async (items) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      requests.push(items);
      await new Promise((r) => setTimeout(r, delayMs));
      inFlight--;
      if (items.includes(-1)) throw new Error('boom');
      return items.map((i) => `r${i}`);
    },
  });
  return { batcher, requests, maxInFlight: () => maxInFlight };
}

describe('Batcher', () => {
  it('merges concurrent submissions into one request and returns each caller its own results', async () => {
    const { batcher, requests } = recorder();
    const results = await Promise.all([batcher.submit([1, 2], 10), batcher.submit([3], 10), batcher.submit([4, 5], 10)]);
    expect(results).toEqual([['r1', 'r2'], ['r3'], ['r4', 'r5']]);
    expect(requests).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('keeps one request in flight and preserves submission order across requests', async () => {
    const { batcher, requests, maxInFlight } = recorder();
    const all: Promise<string[]>[] = [];
    for (let i = 0; i < 50; i++) {
      all.push(batcher.submit([i], 30));
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(all);
    expect(maxInFlight()).toBe(1);
    expect(requests.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // 30-byte submissions under a 100-byte limit: at most three per request, unless one is alone.
    for (const r of requests) expect(r.length).toBeLessThanOrEqual(3);
  });

  it('sends an oversized submission alone rather than splitting it', async () => {
    const { batcher, requests } = recorder();
    await Promise.all([batcher.submit([1], 10), batcher.submit([2, 3, 4], 500), batcher.submit([5], 10)]);
    expect(requests.some((r) => r.join() === '2,3,4')).toBe(true);
  });

  it('rejects every submission of a failed request, and later ones go on', async () => {
    const { batcher } = recorder();
    const failed = await Promise.allSettled([batcher.submit([1], 10), batcher.submit([-1], 10)]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.submit([7], 10)).resolves.toEqual(['r7']);
  });

  it('drain waits for everything submitted', async () => {
    const { batcher } = recorder(20);
    let done = 0;
    for (let i = 0; i < 5; i++) void batcher.submit([i], 60).then(() => done++);
    await batcher.drain();
    expect(done).toBe(5);
    expect(batcher.pending).toBe(0);
  });
});
