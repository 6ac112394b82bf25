import { Counter, Gauge, type Registry } from 'prom-client';
import type { PartitionLag } from '@tributary/kafka';
import type { ProcessingObserver } from '../processing/record-processor.js';

/** The metric names, for dashboards and alerts. Counters are labelled `group` and `topic`; lag adds `partition`. */
export const ConsumerMetricNames = {
  handled: 'tributary_consumer_events_handled_total',
  filtered: 'tributary_consumer_events_filtered_total',
  retried: 'tributary_consumer_handler_retries_total',
  deadLettered: 'tributary_consumer_events_dead_lettered_total',
  lag: 'tributary_consumer_lag',
  stalled: 'tributary_consumer_partition_stalled',
} as const;

type LagSource = () => Promise<readonly PartitionLag[]>;
type StallSource = () => ReadonlyArray<{ topic: string; partition: number; reason: string }>;

/**
 * Prometheus metrics of every consumer group registered on one prom-client registry: counters of handled,
 * filtered, retried and dead-lettered events, and a per-partition lag gauge (high watermark minus the group's
 * commit) computed from the broker when the registry is scraped. Groups share the metrics of their registry,
 * told apart by the `group` label.
 */
export class ConsumerMetrics {
  static readonly #byRegistry = new WeakMap<Registry, ConsumerMetrics>();
  readonly #handled: Counter<'group' | 'topic'>;
  readonly #filtered: Counter<'group' | 'topic'>;
  readonly #retried: Counter<'group' | 'topic'>;
  readonly #deadLettered: Counter<'group' | 'topic'>;
  readonly #lagSources = new Map<string, LagSource>();
  readonly #stallSources = new Map<string, StallSource>();

  private constructor(registry: Registry) {
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['group', 'topic'] as const, registers: [registry] });
    this.#handled = counter(ConsumerMetricNames.handled, 'Events handled by a handler of the group.');
    this.#filtered = counter(ConsumerMetricNames.filtered, 'Records no handler of the group wanted: skipped without decoding, still committed.');
    this.#retried = counter(ConsumerMetricNames.retried, 'Handler calls repeated after a failure.');
    this.#deadLettered = counter(ConsumerMetricNames.deadLettered, 'Records written to a dead-letter topic.');
    const sources = this.#lagSources;
    new Gauge({
      name: ConsumerMetricNames.lag,
      help: 'High watermark minus the committed offset, per partition.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        await Promise.all([...sources].map(async ([group, source]) => {
          // A group out of reach of its broker reports no lag rather than failing the whole scrape.
          const lags = await source().catch(() => []);
          for (const l of lags) this.set({ group, topic: l.topic, partition: String(l.partition) }, Number(l.lag));
        }));
      },
    });
    const stallSources = this.#stallSources;
    new Gauge({
      name: ConsumerMetricNames.stalled,
      help: 'Partitions of a member that cannot progress (1 per partition), labelled with the reason.',
      labelNames: ['group', 'topic', 'partition', 'reason'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [group, source] of stallSources) for (const s of source()) this.set({ group, topic: s.topic, partition: String(s.partition), reason: s.reason }, 1);
      },
    });
  }

  /** The metrics of `registry`, made on first use. */
  static of(registry: Registry): ConsumerMetrics {
    let metrics = ConsumerMetrics.#byRegistry.get(registry);
    if (!metrics) ConsumerMetrics.#byRegistry.set(registry, (metrics = new ConsumerMetrics(registry)));
    return metrics;
  }

  /** Count for `group`, and report its lag from `lag` while bound. Returns the observer and an unbind function. */
  bind(group: string, lag: LagSource, stalls?: StallSource): { observer: ProcessingObserver; unbind(): void } {
    this.#lagSources.set(group, lag);
    if (stalls) this.#stallSources.set(group, stalls);
    // Label lookups hash their labels; a group reads few topics, so each topic's children are made once.
    type Children = Record<keyof ProcessingObserver, { inc(): void }>;
    const byTopic = new Map<string, Children>();
    const of = (topic: string): Children => {
      let c = byTopic.get(topic);
      if (!c) {
        const labels = { group, topic };
        c = { handled: this.#handled.labels(labels), filtered: this.#filtered.labels(labels), retried: this.#retried.labels(labels), deadLettered: this.#deadLettered.labels(labels) };
        byTopic.set(topic, c);
      }
      return c;
    };
    return {
      observer: {
        handled: (topic) => of(topic).handled.inc(),
        filtered: (topic) => of(topic).filtered.inc(),
        retried: (topic) => of(topic).retried.inc(),
        deadLettered: (topic) => of(topic).deadLettered.inc(),
      },
      unbind: () => {
        if (this.#lagSources.get(group) === lag) this.#lagSources.delete(group);
        if (this.#stallSources.get(group) === stalls) this.#stallSources.delete(group);
      },
    };
  }
}
