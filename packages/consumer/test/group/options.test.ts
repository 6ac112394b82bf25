import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { isTributaryError } from '@tributary/core';
import { resolveOptions, type ConsumerGroupOptions } from '../../src/group/options.js';
import { stderrLogger } from '../../src/logging/logger.js';

const base: ConsumerGroupOptions = { brokers: ['localhost:9092'], groupId: 'g', topics: ['orders'], handlers: { '#': () => {} } };

function optionOf(change: Partial<Record<keyof ConsumerGroupOptions, unknown>>): unknown {
  try {
    resolveOptions({ ...base, ...change } as ConsumerGroupOptions);
  } catch (error) {
    expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
    return (error as { context: { option: unknown } }).context.option;
  }
  return undefined;
}

describe('consumer group options', () => {
  it('fills in defaults', () => {
    const o = resolveOptions(base);
    expect(o.client.options).toMatchObject({ clientId: 'tributary-consumer', brokers: base.brokers, tls: false, requestTimeoutMs: 30_000 });
    expect(o.logger).toBe(stderrLogger);
    expect(o.isolationLevel).toBe('read_committed');
    expect(o).toMatchObject({ partitionsConcurrently: 1, commitIntervalMs: 1000, sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000, onOutOfRange: 'fail', from: { kind: 'earliest' } });
    expect(o).toMatchObject({ fetchMaxWaitMs: 500, fetchMaxBytesPerPartition: 512 * 1024, fetchMaxBytes: 50 * 1024 * 1024 });
    expect(o.retry.attempts).toBe(3);
    expect(o.deadLetterTopic('orders')).toBe('orders.DLT');
    expect(o.codecs.names).toEqual(['json']);
  });

  it('names the path of each wrong option', () => {
    expect(optionOf({ brokers: [] })).toBe('brokers');
    expect(optionOf({ brokers: ['localhost:9092', 'nope'] })).toBe('brokers[1]');
    expect(optionOf({ sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } as never })).toBe('sasl.mechanism');
    expect(optionOf({ tls: { cert: 'PEM' } })).toBe('tls.key');
    expect(optionOf({ client: {} as never })).toBe('client');
    expect(optionOf({ isolationLevel: 'dirty' as never })).toBe('isolationLevel');
    expect(optionOf({ groupId: ' ' })).toBe('groupId');
    expect(optionOf({ topics: [] })).toBe('topics');
    expect(optionOf({ topics: ['ok', 'bad topic'] })).toBe('topics[1]');
    expect(optionOf({ handlers: {} })).toBe('handlers');
    expect(optionOf({ handlers: { 'order.*': 'nope' } })).toBe('handlers["order.*"]');
    expect(optionOf({ handlers: { 'a..b': () => {} } })).toBe('handlers["a..b"]');
    expect(optionOf({ handlers: [['a.b', () => {}], ['x.#', 3]] })).toBe('handlers[1]');
    expect(optionOf({ retry: { attempts: 0 } })).toBe('retry.attempts');
    expect(optionOf({ partitionsConcurrently: 0 })).toBe('partitionsConcurrently');
    expect(optionOf({ heartbeatIntervalMs: 40_000 })).toBe('heartbeatIntervalMs');
    expect(optionOf({ fetchMaxBytesPerPartition: 100 })).toBe('fetchMaxBytesPerPartition');
    expect(optionOf({ fetchMaxBytes: 1.5 })).toBe('fetchMaxBytes');
    expect(optionOf({ from: 'soon' })).toBe('from');
    expect(optionOf({ from: 'other:0@5' })).toBe('from');
    expect(optionOf({ onOutOfRange: 'skip' })).toBe('onOutOfRange');
    expect(optionOf({ deadLetterTopic: 'orders.dead' })).toBe('deadLetterTopic');
    expect(optionOf({ deadLetterBackoff: { initialDelayMs: 500, maxDelayMs: 100 } })).toBe('deadLetterBackoff.maxDelayMs');
    expect(optionOf({ logger: console.log })).toBe('logger');
    expect(optionOf({ metrics: { registry: {} } })).toBe('metrics.registry');
    expect(optionOf({ commitIntervalMs: 1.5 })).toBe('commitIntervalMs');
  });

  it('accepts every start position form and a prom-client registry', () => {
    expect(resolveOptions({ ...base, from: 'orders:0@5,orders:1@0' }).from).toMatchObject({ kind: 'position' });
    expect(resolveOptions({ ...base, from: '2024-01-01T00:00:00Z' }).from).toEqual({ kind: 'time', millis: Date.UTC(2024, 0, 1) });
    expect(resolveOptions({ ...base, from: 'latest' }).from).toEqual({ kind: 'latest' });
    expect(resolveOptions({ ...base, metrics: { registry: new Registry() } }).metrics).toBeDefined();
  });
});
