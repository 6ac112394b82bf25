import type { GroupMembership, GroupMetadata } from '@tributary/kafka';
import type { Committer, OffsetToCommit } from '../commit/committer.js';
import { asTributaryError } from '../errors.js';
import { messageOf, type ConsumerLogger } from '../logging/logger.js';

/*
 * The group's commit path, apart from its membership and reading: when settled offsets go to the coordinator
 * (every commitIntervalMs, when a rebalance begins, at stop, on request), and the rule that a member whose
 * membership is uncertain commits nothing. What may be committed is the Committer's business; this is when.
 */

/** What the commit path needs from the group around it. */
export interface GroupCommitsContext {
  readonly groupId: string;
  readonly committer: Committer;
  readonly logger: ConsumerLogger;
  /** Where commits go instead of the group's coordinator (`commitOffsets`, the commands' transactions). */
  readonly sink: ((offsets: readonly OffsetToCommit[], member: GroupMetadata) => Promise<void>) | undefined;
  /** The member's place in the group; undefined before start. */
  membership(): GroupMembership | undefined;
  /** True when, at `now`, the coordinator has not confirmed this member for nearly its session timeout. */
  lapsed(now: number): boolean;
}

/** Sends the settled offsets of the partitions this member owns, at the interval and when asked. */
export class GroupCommits {
  readonly #c: GroupCommitsContext;
  #timer: NodeJS.Timeout | undefined;

  constructor(context: GroupCommitsContext) {
    this.#c = context;
  }

  /**
   * Commit what settled every `intervalMs` until {@link stopInterval}; the timer keeps no process alive. A tick
   * while a commit is under way sends nothing: the next tick after it takes everything settled meanwhile. Queued
   * instead, commits slower than the interval (a transaction each, under a broker fault) piled up a minute or more
   * behind what was handled.
   */
  startInterval(intervalMs: number): void {
    this.#timer = setInterval(() => {
      if (!this.#c.committer.busy) void this.commitNow('interval');
    }, intervalMs);
    this.#timer.unref?.();
  }

  stopInterval(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Commit settled offsets. Failures are logged, and what they held is committed at the next chance; with
   * `rethrow` (a user's `commit()`), the failure is thrown too, as a TributaryError.
   */
  async commitNow(reason: string, rethrow = false): Promise<readonly OffsetToCommit[]> {
    const c = this.#c;
    const membership = c.membership();
    // Unconfirmed for nearly the session timeout, this member may no longer own what it would commit (the
    // coordinator would refuse it then); what settled waits for the next confirmation, or goes with a revocation.
    if (!membership || c.lapsed(Date.now())) return [];
    try {
      // When the commit left: its answer may come much later (the process stood still), and ownership is decided
      // when the coordinator took it, not when it answered.
      const sentAt = Date.now();
      const done = await c.committer.commit((offsets) => (c.sink ? c.sink(offsets, membership.groupMetadata()) : membership.commit(offsets)));
      if (done.length > 0) c.logger.debug({ groupId: c.groupId, reason, sentAt, offsets: done.map((d) => `${d.topic}:${d.partition}@${d.offset}`) }, 'committed');
      return done;
    } catch (error) {
      c.logger.warn({ groupId: c.groupId, reason, err: messageOf(error) }, 'commit failed; settled offsets are committed at the next chance');
      if (rethrow) throw asTributaryError(error, `Committing group "${c.groupId}"`);
      return [];
    }
  }
}
