import { performance } from 'node:perf_hooks';

/** Latency percentiles over a window, in milliseconds (nearest rank). */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * One component's performance: what `PERFORMANCE` reports for the signalling server, the group store and each
 * channel layer (seed 001: "Request performance report").
 */
export interface ComponentPerformance {
  /** `signalling-server`, `group-store`, `channel-layer`; a client's components carry its session id in `session`. */
  readonly component: string;
  /** The session the component runs in, when reported by a client. */
  readonly session?: string;
  /** Operations finished within the window. */
  readonly count: number;
  /** The window the throughput and percentiles cover (shorter than configured while the component is young). */
  readonly windowMs: number;
  /** Operations finished per second over the window. */
  readonly throughputPerSecond: number;
  /** Percentiles of the operations finished in the window; null when none did. */
  readonly latencyMs: LatencyPercentiles | null;
  /** What waits, now: see `lagUnit`. */
  readonly lag: number;
  /** What `lag` counts (messages buffered, records behind the topic end, commands in flight). */
  readonly lagUnit: string;
  /** Failed operations since the component started, by error code. */
  readonly errors: Readonly<Record<string, number>>;
}

/** The answer to `PERFORMANCE`, sent to the client as `PERFORMANCE_REPORT`. */
export interface PerformanceReport {
  /** The id of the `PERFORMANCE` command this answers. */
  readonly commandId: string;
  /** The signalling server's session. */
  readonly serverId: string;
  /** When the report was made (ISO 8601). */
  readonly at: string;
  readonly components: readonly ComponentPerformance[];
}

interface Sample {
  readonly at: number;
  readonly latencyMs: number;
  readonly count: number;
}

/**
 * Counts a component's operations over a sliding window (at most `maxSamples` kept: the window shortens rather
 * than memory grows), their latency, and its errors by code.
 */
export class PerformanceRecorder {
  readonly component: string;
  readonly lagUnit: string;
  readonly #windowMs: number;
  readonly #maxSamples: number;
  readonly #startedAt = performance.now();
  readonly #errors = new Map<string, number>();
  #samples: Sample[] = [];
  /** When the newest sample dropped for room was taken: the window cannot reach further back. */
  #truncatedAt = -Infinity;

  constructor(component: string, lagUnit: string, windowMs = 60_000, maxSamples = 4096) {
    this.component = component;
    this.lagUnit = lagUnit;
    this.#windowMs = windowMs;
    this.#maxSamples = maxSamples;
  }

  /** An operation (or `count` of them, done together) finished after `latencyMs`. */
  record(latencyMs: number, count = 1): void {
    this.#samples.push({ at: performance.now(), latencyMs, count });
    if (this.#samples.length > this.#maxSamples * 2) {
      const dropped = this.#samples.splice(0, this.#samples.length - this.#maxSamples);
      this.#truncatedAt = dropped[dropped.length - 1]!.at;
    }
  }

  /** An operation failed with `code`. */
  fail(code: string): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  /** The component's performance now, with its current `lag`. */
  snapshot(lag: number, now = performance.now()): ComponentPerformance {
    const from = Math.max(now - this.#windowMs, this.#startedAt, this.#truncatedAt);
    this.#samples = this.#samples.filter((s) => s.at > from);
    const kept = this.#samples.slice(-this.#maxSamples);
    const windowMs = Math.max(1, now - Math.max(from, kept.length < this.#samples.length ? kept[0]!.at : -Infinity));
    const count = kept.reduce((n, s) => n + s.count, 0);
    return {
      component: this.component,
      count,
      windowMs: Math.round(windowMs),
      throughputPerSecond: round((count * 1000) / windowMs),
      latencyMs: percentiles(kept.map((s) => s.latencyMs)),
      lag,
      lagUnit: this.lagUnit,
      errors: Object.fromEntries(this.#errors),
    };
  }
}

/** Nearest-rank percentiles of `values`; null when there are none. */
export function percentiles(values: readonly number[]): LatencyPercentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[sorted.length - 1]!) };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
