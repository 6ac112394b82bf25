import { describe } from 'vitest';
import { MemoryLogTransport } from '@tributary/kafka';
import { transportConformance } from './log-transport-conformance.js';

describe('MemoryLogTransport', () => {
  let n = 0;
  transportConformance('memory', async () => {
    const transport = new MemoryLogTransport({ partitions: (topic) => Number(topic.split('-')[1]) });
    // Memory topics exist once used, with the partitions the option gives: here, as the name says.
    return { transport, topic: async (partitions) => `t${n++}-${partitions}` };
  });
});
