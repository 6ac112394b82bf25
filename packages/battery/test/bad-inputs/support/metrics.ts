/**
 * A metrics registry that only keeps the metrics registered on it, so a test can read counters by label without
 * depending on prom-client itself: a prom-client metric registers itself through `registerMetric` and reads its
 * own values through `get()`, which is all the components and this test use.
 */
interface CountedMetric {
  readonly name: string;
  get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }>;
}

export interface CountingRegistry {
  /** Give it where a component takes `metrics: { registry }`. */
  readonly registry: never;
  /** The metric's values summed by one label (values without that label are left out). */
  values(name: string, label: string): Promise<Record<string, number>>;
  /** The metric's values, all summed. */
  sum(name: string): Promise<number>;
}

export function countingRegistry(): CountingRegistry {
  const metrics = new Map<string, CountedMetric>();
  const registry = { registerMetric: (metric: CountedMetric) => void metrics.set(metric.name, metric) };
  const values = async (name: string) => (await metrics.get(name)?.get())?.values ?? [];
  return {
    registry: registry as never,
    async values(name, label) {
      const out: Record<string, number> = {};
      for (const v of await values(name)) {
        const key = v.labels[label];
        if (key !== undefined && v.value !== 0) out[String(key)] = (out[String(key)] ?? 0) + v.value;
      }
      return out;
    },
    async sum(name) {
      return (await values(name)).reduce((n, v) => n + v.value, 0);
    },
  };
}
