import { measure } from './measure.js';

/**
 * One request/response implementation under test: raw kafkajs ping-pong or Tributary messaging. `call`
 * sends request number `seq` and resolves when its own reply has arrived (matched by correlation id); it
 * rejects, never hangs, when no reply comes within the implementation's deadline.
 */
export interface RoundTripper {
  call(seq: number): Promise<void>;
  close(): Promise<void>;
  /** Other processes of the implementation (its responders): their CPU counts as the client's. */
  readonly pids?: readonly number[];
}

/** A closed-loop run: `inFlight` callers, each sending its next request as soon as its last reply arrived. */
export interface ClosedLoopOptions {
  inFlight: number;
  /** Run and discarded first: connections, JIT, group rebalances settling. */
  warmUpMs: number;
  measureMs: number;
  brokerPid?: number;
}

/** Latencies of the measured requests (milliseconds, from the send call to the matched reply) and the rate. */
export interface RoundTripResult {
  requests: number;
  requestsPerSec: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  cpu: { client: number; broker?: number };
}

/**
 * Warm up, then measure `measureMs` of closed-loop round trips. A closed loop waits for each reply before the
 * caller's next request, so latency under load shows as a lower rate rather than a queue (no coordinated
 * omission to correct: the offered load is what the system accepts). The rate counts requests started in the
 * window over the window plus the drain of the last ones in flight.
 */
export async function runClosedLoop(target: RoundTripper, options: ClosedLoopOptions): Promise<RoundTripResult> {
  let seq = 0;
  const next = () => seq++;
  await loop(target, options.inFlight, options.warmUpMs, next);
  const latencies: number[] = [];
  const { seconds, cpu } = await measure(() => loop(target, options.inFlight, options.measureMs, next, latencies), options.brokerPid, target.pids);
  return { requests: latencies.length, requestsPerSec: latencies.length / seconds, ...summarize(latencies), cpu };
}

async function loop(target: RoundTripper, inFlight: number, ms: number, next: () => number, latencies?: number[]): Promise<void> {
  const until = performance.now() + ms;
  const caller = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      await target.call(next());
      latencies?.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, caller));
}

/** p50, p99 (nearest rank), max and mean of latencies in milliseconds. */
export function summarize(latencies: number[]): { p50: number; p99: number; max: number; mean: number } {
  if (latencies.length === 0) return { p50: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(latencies).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]!, mean: latencies.reduce((a, b) => a + b, 0) / latencies.length };
}
