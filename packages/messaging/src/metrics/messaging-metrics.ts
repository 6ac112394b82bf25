import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Route } from '../wire/envelope.js';

/** The metric names, for dashboards and alerts. */
export const MessagingMetricNames = {
  sent: 'tributary_messaging_requests_sent_total',
  handled: 'tributary_messaging_requests_handled_total',
  outcomes: 'tributary_messaging_request_outcomes_total',
  latency: 'tributary_messaging_request_duration_seconds',
  dropped: 'tributary_messaging_responses_dropped_total',
  sessions: 'tributary_messaging_sessions',
} as const;

/** How a request ended, as the outcome label names it. */
export type OutcomeLabel = 'response' | 'request_failed' | 'no_handler' | 'session_not_found' | 'timeout' | 'type_mismatch' | 'aborted' | 'send_failed';

/**
 * Prometheus metrics of the sessions of one process registered on a prom-client registry: requests sent and
 * handled by route, outcomes by kind, round-trip latency, responses dropped (late or duplicate), and live
 * sessions seen. Hubs sharing a registry share its metrics.
 */
export class MessagingMetrics {
  static readonly #byRegistry = new WeakMap<Registry, MessagingMetrics>();
  readonly #sent: Counter<'route'>;
  readonly #handled: Counter<'route'>;
  readonly #outcomes: Counter<'route' | 'outcome'>;
  readonly #latency: Histogram<'route'>;
  readonly #dropped: Counter<'reason'>;
  readonly #sessionSources = new Set<() => number>();

  private constructor(registry: Registry) {
    this.#sent = new Counter({ name: MessagingMetricNames.sent, help: 'Requests sent, by route (path, session, filter: one per matched session).', labelNames: ['route'] as const, registers: [registry] });
    this.#handled = new Counter({ name: MessagingMetricNames.handled, help: 'Requests handled by a handler of this process, by route.', labelNames: ['route'] as const, registers: [registry] });
    this.#outcomes = new Counter({ name: MessagingMetricNames.outcomes, help: 'How requests sent ended, by route and outcome.', labelNames: ['route', 'outcome'] as const, registers: [registry] });
    this.#latency = new Histogram({
      name: MessagingMetricNames.latency,
      help: 'Seconds from sending a request to its response.',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.#dropped = new Counter({ name: MessagingMetricNames.dropped, help: 'Responses dropped: late (after the outcome) or duplicate.', labelNames: ['reason'] as const, registers: [registry] });
    const sources = this.#sessionSources;
    new Gauge({
      name: MessagingMetricNames.sessions,
      help: 'Live sessions seen on the sessions topic.',
      registers: [registry],
      collect() {
        let most = 0;
        for (const source of sources) most = Math.max(most, source());
        this.set(most);
      },
    });
  }

  /** The metrics of a registry, made on first use. */
  static of(registry: Registry): MessagingMetrics {
    let metrics = MessagingMetrics.#byRegistry.get(registry);
    if (!metrics) MessagingMetrics.#byRegistry.set(registry, (metrics = new MessagingMetrics(registry)));
    return metrics;
  }

  sent(route: Route): void {
    this.#sent.inc({ route });
  }

  handled(route: Route): void {
    this.#handled.inc({ route });
  }

  outcome(route: Route, outcome: OutcomeLabel, seconds?: number): void {
    this.#outcomes.inc({ route, outcome });
    if (seconds !== undefined && outcome === 'response') this.#latency.observe({ route }, seconds);
  }

  dropped(reason: 'late' | 'duplicate' | 'malformed'): void {
    this.#dropped.inc({ reason });
  }

  /** Count live sessions from `source` when scraped; returns the undo. */
  watchSessions(source: () => number): () => void {
    this.#sessionSources.add(source);
    return () => this.#sessionSources.delete(source);
  }
}
