import { describe, expect, it } from 'vitest';
import { consumerConfig, rebalanceErrorType } from '../../src/group/kafka-client.js';
import { resolveOptions } from '../../src/group/options.js';

describe('kafka client of a group', () => {
  it('gives the consumer the group timeouts and never creates topics by reading', () => {
    const o = resolveOptions({ brokers: ['localhost:9092'], groupId: 'g', topics: ['orders'], handlers: { '#': () => {} }, sessionTimeoutMs: 9000, fetchMaxWaitMs: 50 });
    expect(consumerConfig(o)).toMatchObject({ groupId: 'g', sessionTimeout: 9000, heartbeatInterval: 3000, maxWaitTimeInMs: 50, allowAutoTopicCreation: false });
  });

  it('tells rebalance errors from the rest', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      expect(rebalanceErrorType(Object.assign(new Error('x'), { type }))).toBe(type);
    }
    for (const error of [new Error('x'), Object.assign(new Error('x'), { type: 'REQUEST_TIMED_OUT' }), null, undefined, 'text', { type: 7 }]) {
      expect(rebalanceErrorType(error)).toBeUndefined();
    }
  });
});
