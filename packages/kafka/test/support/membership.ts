import type { GroupMembership } from '../../src/index.js';

/**
 * Join and wait for the first heartbeat; resolves with the assignment of the last join. Commits wait for it:
 * kafkajs drops a commit, silently, until its runner is running, which it marks only after the join event.
 * A crash with `restart` (the coordinator of a fresh node still loading its offsets topic, say) rejoins by
 * itself, as ConsumerGroup relies on; only a crash that gives up rejects.
 */
export function joinedAndBeating(member: GroupMembership): Promise<Record<string, number[]>> {
  return new Promise((resolve, reject) => {
    let assignment: Record<string, number[]> = {};
    void member
      .join({
        joined: (a) => void (assignment = a),
        rebalancing: () => {},
        heartbeat: () => resolve(assignment),
        crashed: (error, restart) => void (restart ? undefined : reject(error)),
      })
      .catch(reject);
  });
}
