import { describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { ensureTopicsWith } from '../../src/admin/topics.js';

/** An admin whose metadata answers fail `failures` times, as brokers that have not caught up with a new topic do. */
function adminOf(failures: number, error: Error & { retriable?: boolean }) {
  let asked = 0;
  const admin = {
    describeCluster: async () => ({ brokers: [{}, {}, {}] }),
    listTopics: async () => ['orders'],
    fetchTopicMetadata: async () => {
      asked++;
      if (asked <= failures) throw error;
      return { topics: [{ name: 'orders', partitions: [{ partitionId: 0, leader: 1 }, { partitionId: 1, leader: 2 }, { partitionId: 2, leader: 3 }] }] };
    },
  };
  return { admin: admin as unknown as Admin, asked: () => asked };
}

const notHosted = () => Object.assign(new Error('This server does not host this topic-partition'), { retriable: true });

describe('ensureTopicsWith, for a topic that exists', () => {
  it('asks again while a broker does not host the topic yet, then checks its partitions', async () => {
    const { admin, asked } = adminOf(3, notHosted());
    await expect(ensureTopicsWith(admin, [{ topic: 'orders', partitions: 3 }])).resolves.toEqual({ created: [], existing: ['orders'] });
    expect(asked()).toBe(4);
    const fewer = adminOf(1, notHosted());
    await expect(ensureTopicsWith(fewer.admin, [{ topic: 'orders', partitions: 6 }])).rejects.toThrow('exists with 3 partitions, fewer than the 6 asked for');
  });

  it('fails at once on an error that is not retriable, and after the deadline on one that is', async () => {
    const denied = adminOf(1, Object.assign(new Error('Not authorized to access topics'), { retriable: false }));
    await expect(ensureTopicsWith(denied.admin, [{ topic: 'orders' }])).rejects.toThrow('Not authorized');
    expect(denied.asked()).toBe(1);
    const never = adminOf(Infinity, notHosted());
    await expect(ensureTopicsWith(never.admin, [{ topic: 'orders' }], 250)).rejects.toThrow('does not host');
    expect(never.asked()).toBeGreaterThan(1);
  });
});
