import type { TopicPartition } from '@tributary/consumer';
import type { HistoryWriter, PartitionRef } from '../history.js';

/** What a group member worker hands its group to have its assignments recorded, and the count of them so far. */
export interface AssignmentHistory {
  /** How many assignments the member has had (its `gen` in the history). */
  readonly gen: number;
  onPartitionsAssigned(partitions: readonly TopicPartition[]): void;
  onPartitionsRevoked(partitions: readonly TopicPartition[]): void;
}

/** Records a group member's whole assignment after each change: what it owns from then on. */
export function assignmentHistory(history: HistoryWriter, member: string): AssignmentHistory {
  const owned = new Map<string, PartitionRef>();
  const key = (p: TopicPartition) => `${p.topic}:${p.partition}`;
  let gen = 0;
  const record = () => history.append({ k: 'assign', member, gen: ++gen, partitions: [...owned.values()] });
  return {
    get gen() {
      return gen;
    },
    onPartitionsAssigned(partitions) {
      for (const p of partitions) owned.set(key(p), { topic: p.topic, partition: p.partition });
      record();
    },
    onPartitionsRevoked(partitions) {
      for (const p of partitions) owned.delete(key(p));
      record();
    },
  };
}
