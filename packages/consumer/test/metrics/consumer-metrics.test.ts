import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ConsumerMetricNames, ConsumerMetrics } from '../../src/metrics/consumer-metrics.js';

describe('ConsumerMetrics', () => {
  it('counts per group and topic, and reports lag when scraped', async () => {
    const registry = new Registry();
    const a = ConsumerMetrics.of(registry).bind('ga', async () => [{ topic: 't', partition: 0, high: 10n, committed: 7n, lag: 3n }]);
    const b = ConsumerMetrics.of(registry).bind('gb', async () => { throw new Error('broker away'); });
    a.observer.handled('t');
    a.observer.handled('t');
    a.observer.filtered('t');
    a.observer.retried('t');
    a.observer.deadLettered('u');
    b.observer.handled('t');
    const text = await registry.metrics();
    expect(text).toContain(`${ConsumerMetricNames.handled}{group="ga",topic="t"} 2`);
    expect(text).toContain(`${ConsumerMetricNames.handled}{group="gb",topic="t"} 1`);
    expect(text).toContain(`${ConsumerMetricNames.filtered}{group="ga",topic="t"} 1`);
    expect(text).toContain(`${ConsumerMetricNames.retried}{group="ga",topic="t"} 1`);
    expect(text).toContain(`${ConsumerMetricNames.deadLettered}{group="ga",topic="u"} 1`);
    expect(text).toContain(`${ConsumerMetricNames.lag}{group="ga",topic="t",partition="0"} 3`);
    expect(text).not.toContain(`${ConsumerMetricNames.lag}{group="gb"`);
    a.unbind();
    expect(await registry.metrics()).not.toContain(`${ConsumerMetricNames.lag}{group="ga"`);
  });
});
