import { describe, expect, it } from 'vitest';
import { consumerConfig } from '../../src/group/kafka-client.js';
import { resolveOptions } from '../../src/group/options.js';

describe('kafka client of a group', () => {
  it('gives the consumer the group timeouts and never creates topics by reading', () => {
    const o = resolveOptions({ brokers: ['localhost:9092'], groupId: 'g', topics: ['orders'], handlers: { '#': () => {} }, sessionTimeoutMs: 9000, fetchMaxWaitMs: 50 });
    expect(consumerConfig(o)).toMatchObject({ groupId: 'g', sessionTimeout: 9000, heartbeatInterval: 3000, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  });
});
