import { randomBytes } from 'node:crypto';
import { createTopics } from '@tributary/test-kit';
import type { BenchContext } from './context.js';

/** A fresh topic with 3 partitions (every benchmark workload uses 3). */
export async function createTopic(ctx: BenchContext, prefix: string, partitions = 3): Promise<string> {
  const topic = `${prefix}-${randomBytes(4).toString('hex')}`;
  await createTopics(ctx.brokers, [{ topic, numPartitions: partitions }]);
  return topic;
}
