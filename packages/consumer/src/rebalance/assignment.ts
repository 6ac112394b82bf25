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

  /**
   * Take a join's member assignment (`{ topic: [partitions] }`, kafkajs' GROUP_JOIN shape). After a lost
   * membership (`lost`), everything owned before counts as revoked and everything in the join as newly assigned,
   * as Java's consumer calls onPartitionsLost: other members may have handled those partitions meanwhile.
   */
  update(memberAssignment: Readonly<Record<string, readonly number[]>>, lost = false): AssignmentChange {
    const next = new Map<string, TopicPartition>();
    for (const [topic, partitions] of Object.entries(memberAssignment)) {
      for (const partition of partitions) next.set(partitionKey(topic, partition), { topic, partition });
    }
    const before = lost ? new Map<string, TopicPartition>() : this.#owned;
    const assigned = [...next].filter(([k]) => !before.has(k)).map(([, p]) => p);
    const revoked = [...this.#owned].filter(([k]) => lost || !next.has(k)).map(([, p]) => p);
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
