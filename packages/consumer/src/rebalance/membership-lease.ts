/** The group timeouts a lease is made from (the consumer group's options). */
export interface LeaseTiming {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/**
 * How long after the coordinator last confirmed this member its assignment may be taken for granted: the
 * session timeout less a margin. The coordinator's session clock starts when a heartbeat reaches it, a little
 * after it was sent, and the member notices the lapse only at its next look at the clock; the margin (one
 * heartbeat interval) covers both. It is capped at half the slack between the interval and the session, so a
 * member heartbeating on time never looks silent, whatever the two are set to.
 */
export function leaseTermMs(timing: LeaseTiming): number {
  const { sessionTimeoutMs, heartbeatIntervalMs } = timing;
  return sessionTimeoutMs - Math.min(heartbeatIntervalMs, Math.floor((sessionTimeoutMs - heartbeatIntervalMs) / 2));
}

/**
 * Whether this member may still take its assignment for granted. The group coordinator drops a member it has
 * not heard from for the session timeout and gives its partitions to the others; the member learns of it only
 * when its next heartbeat is answered, and kafkajs then rejoins without first telling of a rebalance. A member
 * whose process stood still (stopped, swapped out, a long pause of the runtime) or whose network was cut must
 * not go on handling what it fetched before: once the coordinator has not confirmed it (a heartbeat or a join)
 * for {@link leaseTermMs}, its membership is uncertain, and the consumer treats it as a rebalance (hands
 * nothing, commits nothing) until the next confirmation says whether it still owns what it had.
 */
export class MembershipLease {
  /** How long after a confirmation the assignment is taken for granted. */
  readonly termMs: number;
  readonly #confirmedAt: () => number;
  readonly #onLapse: (silentMs: number) => void;
  #lapsed = false;

  /**
   * @param confirmedAt when the coordinator last confirmed this member, ms since the epoch (0: never).
   * @param onLapse told once per lapse, at the first look at the clock that finds it, with how long the member
   *   has gone unconfirmed.
   */
  constructor(confirmedAt: () => number, timing: LeaseTiming, onLapse: (silentMs: number) => void = () => {}) {
    this.termMs = leaseTermMs(timing);
    this.#confirmedAt = confirmedAt;
    this.#onLapse = onLapse;
  }

  /** True when, at `now` (ms since the epoch), the last confirmation is older than the term, or none came yet. */
  lapsed(now: number): boolean {
    const confirmedAt = this.#confirmedAt();
    // Never confirmed: the member has not joined, so it owns nothing and nothing has lapsed to tell of.
    if (confirmedAt === 0) return true;
    const silentMs = now - confirmedAt;
    if (silentMs <= this.termMs) return false;
    if (!this.#lapsed) {
      this.#lapsed = true;
      this.#onLapse(silentMs);
    }
    return true;
  }

  /** The coordinator confirmed this member again. True when the lease had been found lapsed (handling may go on now). */
  renewed(): boolean {
    const was = this.#lapsed;
    this.#lapsed = false;
    return was;
  }
}
