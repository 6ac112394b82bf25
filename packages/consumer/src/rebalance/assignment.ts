import { partitionKey, type TopicPartition } from '@tributary/kafka';

/** How an assignment changed: what this member owns now, what it gained and what it lost. */
export interface AssignmentChange {
  readonly owned: readonly TopicPartition[];
  readonly assigned: readonly TopicPartition[];
  readonly revoked: readonly TopicPartition[];
}

/** The partitions this member owns, as the group's last join gave them. */
export class Assignment {
  #owned = new Map<string, TopicPartition>();

  /** Take a join's member assignment (`{ topic: [partitions] }`, kafkajs' GROUP_JOIN shape). */
  update(memberAssignment: Readonly<Record<string, readonly number[]>>): AssignmentChange {
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const partition of partitions) next.set(partitionKey(topic, partition), { topic, partition });
    }
    const assigned = [...next].filter(([k]) => !this.#owned.has(k)).map(([, p]) => p);
    const revoked = [...this.#owned].filter(([k]) => !next.has(k)).map(([, p]) => p);
    this.#owned = next;
    return { owned: this.list(), assigned, revoked };
  }

  /** Everything was revoked (the member left the group). */
  clear(): AssignmentChange {
    const revoked = this.list();
    this.#owned = new Map();
    return { owned: [], assigned: [], revoked };
  }

  /** Owned partitions, sorted by topic then partition. */
  list(): TopicPartition[] {
    return [...this.#owned.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }
}
