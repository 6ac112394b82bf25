import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { ConsumerStateError } from '../../src/errors.js';
import { ConsumerGroup } from '../../src/group/consumer-group.js';

const options = { brokers: ['127.0.0.1:1'], groupId: 'g', topics: ['orders'], handlers: { '#': () => {} } };

describe('ConsumerGroup without a broker', () => {
  it('checks its options at construction, naming the option', () => {
    expect(() => new ConsumerGroup({ ...options, topics: ['ok', ''] })).toThrow(/topics\[1\]/);
  });

  it('refuses what needs a running group, with CONSUMER_STATE', async () => {
    const g = new ConsumerGroup(options);
    expect(g.state).toBe('idle');
    await expect(g.seek('earliest')).rejects.toBeInstanceOf(ConsumerStateError);
    expect(() => g.pause()).toThrow(ConsumerStateError);
    await expect(g.lag()).rejects.toSatisfy((e: unknown) => isTributaryError(e, 'CONSUMER_STATE'));
    await g.stop();
    expect(g.state).toBe('stopped');
    await expect(g.start()).rejects.toMatchObject({ code: 'CONSUMER_STATE', context: { operation: 'start', state: 'stopped' } });
  });
});
