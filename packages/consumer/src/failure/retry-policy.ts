import { InvalidArgumentError } from '@tributary/core';

/** Bounded retry with exponential back-off, as Karafka and Spring's DefaultErrorHandler do it. */
export interface RetryOptions {
  /** Handler attempts in all, the first included. Default 3. 1 means no retry. */
  attempts?: number;
  /** Delay before the first retry, in ms. Default 100. */
  initialDelayMs?: number;
  /** Growth of the delay per retry. Default 2. */
  multiplier?: number;
  /** Upper bound of any one delay, in ms. Default 5000. */
  maxDelayMs?: number;
  /** Share of random spread on each delay (0..1), so retries of many partitions do not align. Default 0.2. */
  jitter?: number;
}

export type RetryPolicy = Required<RetryOptions>;

/**
 * Check retry options and fill in defaults.
 * @throws InvalidArgumentError naming the option (`retry.attempts`...) and what was expected.
 */
export function retryPolicy(options: RetryOptions = {}, path = 'retry'): RetryPolicy {
  const policy: RetryPolicy = { attempts: 3, initialDelayMs: 100, multiplier: 2, maxDelayMs: 5000, jitter: 0.2, ...options };
  const check = (name: keyof RetryPolicy, ok: boolean, expected: string) => {
    if (!ok) throw new InvalidArgumentError(`${path}.${name} must be ${expected}, got ${JSON.stringify(policy[name])}`, { option: `${path}.${name}`, value: policy[name] });
  };
  check('attempts', Number.isInteger(policy.attempts) && policy.attempts >= 1, 'an integer >= 1');
  check('initialDelayMs', Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs >= 0, 'a number >= 0');
  check('multiplier', Number.isFinite(policy.multiplier) && policy.multiplier >= 1, 'a number >= 1');
  check('maxDelayMs', Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs, 'a number >= initialDelayMs');
  check('jitter', policy.jitter >= 0 && policy.jitter <= 1, 'between 0 and 1');
  return policy;
}

/** The delay before retry number `retry` (1 for the first retry). */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}
