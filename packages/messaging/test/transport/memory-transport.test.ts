import { describe } from 'vitest';
import { MemoryTransport } from '@tributary/messaging';
import { transportConformance } from './transport-conformance.js';

describe('MemoryTransport', () => {
  let n = 0;
  transportConformance('memory', async () => {
    const transport = new MemoryTransport({ inboxPartitions: 2 });
    // Memory topics exist once used: an inbox topic has `inboxPartitions` partitions, any other one.
    return { transport, topic: async (partitions) => (partitions === 1 ? `t${n++}` : `t${n++}.inbox`) };
  });
});
