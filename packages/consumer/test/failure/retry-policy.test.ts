import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { retryDelay, retryPolicy } from '../../src/failure/retry-policy.js';

describe('retry policy', () => {
  it('grows exponentially and is bounded', () => {
    const policy = retryPolicy({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((r) => retryDelay(policy, r))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps jitter within its share', () => {
    const policy = retryPolicy({ initialDelayMs: 1000, jitter: 0.2 });
    expect(retryDelay(policy, 1, () => 0)).toBe(800);
    expect(retryDelay(policy, 1, () => 1)).toBe(1200);
  });

  it.each([{ attempts: 0 }, { attempts: 1.5 }, { multiplier: 0.5 }, { jitter: 2 }, { initialDelayMs: 10, maxDelayMs: 5 }])('rejects %j naming the option', (options) => {
    let error: unknown;
    try {
      retryPolicy(options, 'handlers.retry');
    } catch (e) {
      error = e;
    }
    expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/^handlers\.retry\.\w+ must be/);
  });
});
