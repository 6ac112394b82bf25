import type { TributaryError } from '@tributary/core';
import { messageOf, partitionKey, type PartitionFetch, type TopicPartition, type UndecodableBatch } from '@tributary/kafka';
import type { StallReason } from '../health/stalls.js';
import { asEventRecord } from '../processing/raw-record.js';
import type { FetchLoopContext } from './fetch-loop-context.js';
import { PartitionStates, type PartitionState, type QueuedFetch } from './partition-states.js';

export type { FetchLoopContext, PartitionFetcher } from './fetch-loop-context.js';

/**
 * How long records handled synchronously may hold the event loop before it gets a turn. Short, because fetch
 * responses are read in those turns: a long slice starves the socket and the next fetch arrives late.
 */
const SLICE_MS = 10;
/** While records wait to be handled, a partition at its end is asked again this often (without waiting at the broker). */
const AT_END_POLL_MS = 25;
/** The longest the loop sleeps with nothing to fetch before it looks again (timers wake it sooner). */
const IDLE_MS = 1000;
/** Back-off after a failed fetch, growing to the maximum while failures go on. */
const RETRY = { initialMs: 100, maxMs: 2000 };
/** Failed fetches of a partition in a row (about 15 s of back-off) before it is reported stalled. */
const FAILURES_BEFORE_STALL = 10;
/** An authorization refusal is asked again this rarely: an operator may grant access meanwhile. */
const AUTHORIZATION_RETRY_MS = 30_000;
/** Stalls of the fetch itself, as against those of a record that cannot be settled. */
const FETCH_STALLS: ReadonlySet<StallReason> = new Set(['fetch-failing', 'authorization', 'unsupported', 'undecodable-batch']);

/**
 * The group's reading: fetches the partitions this member owns straight from their leaders (one request per
 * leader for all of them, decoded by Tributary's record-batch decoder) and takes each partition's records
 * through the record processor, in offset order, one record at a time. Membership, heartbeats and rebalances
 * are the kafkajs consumer's job; this loop never waits for them.
 *
 * - A partition's next records are fetched while its current ones are handled, so the handler rarely waits
 *   for the network; at most two fetches per partition are held.
 * - A fetch waits at the broker (up to maxWaitMs) only when nothing is to be handled: Kafka answers one request
 *   per connection at a time, so a fetch of a partition at its end, waiting for new records, would hold up the
 *   fetches of partitions that have records. Meanwhile partitions at their end are polled every 25 ms (a follow-up
 *   written by a handler, as a command chain does, is then read within a few milliseconds).
 * - Each record settles before the next is taken; only settled offsets reach the committer. A `blocked` record
 *   pauses the partition (PauseControl) and the partition reads again from it once resumed; a record not taken
 *   because of a stop, rebalance, pause or seek is read again from where it was.
 * - A member the coordinator has not confirmed for nearly its session timeout hands no record over (as in a
 *   rebalance) until it does: another member may have taken its partitions meanwhile.
 * - `concurrency` partitions are handled side by side, taking turns; order holds within each.
 */
export class FetchLoop {
  readonly #c: FetchLoopContext;
  readonly #states = new PartitionStates(() => this.wake());
  #active = 0;
  #idle: Array<() => void> = [];
  #waiter: (() => void) | undefined;
  #failures = 0;
  #started = false;

  constructor(context: FetchLoopContext) {
    this.#c = context;
  }

  /** Start fetching; the loop ends when the context's signal aborts. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#run().catch((error: unknown) => this.#c.logger.error({ err: messageOf(error) }, 'fetch loop failed'));
    this.#c.signal.addEventListener('abort', () => this.wake(), { once: true });
  }

  /** Resolves once no partition is being handled. */
  whenIdle(): Promise<void> {
    return this.#active === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Read these newly owned partitions, each from its offset. `lastEpoch`, the leader epoch of the record before
   * it (a commit's), has the reader check the position against the leader's log before the first read.
   */
  assign(partitions: ReadonlyArray<TopicPartition & { next: bigint; lastEpoch?: number }>): void {
    this.#states.assign(partitions);
  }

  /** Stop reading these partitions: records fetched or in hand for them are dropped. */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#states.drop(p);
  }

  /** Read an owned partition from `next` on: what was fetched beyond is dropped, the record in hand is its last. */
  seek(p: TopicPartition, next: bigint): void {
    const s = this.#states.get(p);
    if (s) this.#states.seek(s, next);
  }

  /** Where a partition being read reads next; undefined while it is not read (not owned, or its first position is still looked up). */
  position(p: TopicPartition): bigint | undefined {
    return this.#states.get(p)?.next;
  }

  /** Something changed that may let a partition be fetched (a resume, the end of a rebalance). */
  wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  /**
   * Fetch every partition that may be fetched, without waiting for the answers: each leader's come back on their
   * own, so a leader with nothing new (waiting up to maxWaitMs) holds up no other.
   */
  async #run(): Promise<void> {
    const c = this.#c;
    while (!c.signal.aborted) {
      // With records in hand or waiting, nobody needs the broker to wait: partitions at their end are polled.
      // Otherwise one fetch waits at the broker for all of them, once no other fetch is on its way (it would
      // queue behind the waiting one).
      const busy = this.#busy();
      const ready = this.#fetchable(busy);
      if (ready.length === 0 || (!busy && this.#states.inFlight())) {
        await this.#sleep();
        continue;
      }
      const round = new Map<string, { s: PartitionState; epoch: number }>();
      for (const s of ready) {
        s.fetching = true;
        round.set(partitionKey(s.topic, s.partition), { s, epoch: s.epoch });
      }
      const settle = (answers: PartitionFetch[]) => {
        for (const answer of answers) {
          const entry = round.get(partitionKey(answer.topic, answer.partition));
          if (!entry) continue;
          round.delete(partitionKey(answer.topic, answer.partition));
          entry.s.fetching = false;
          this.#take(entry.s, entry.epoch, answer, busy);
        }
        this.#kick();
        this.wake();
      };
      const requests = ready.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.next, lastEpoch: s.lastEpoch }));
      void c.fetcher.fetchPartitions(requests, busy ? { ...c.fetch, maxWaitMs: 0 } : c.fetch, settle).then(
        () => (this.#failures = 0),
        (error: unknown) => {
          // Nothing was sent (the cluster's metadata could not be read): every partition of the round waits.
          const wait = Math.min(RETRY.maxMs, RETRY.initialMs * 2 ** Math.min(this.#failures++, 10));
          if (!c.signal.aborted) c.logger.warn({ err: messageOf(error), retryInMs: wait, partitions: round.size }, 'fetch failed; trying again');
          for (const { s } of round.values()) {
            s.fetching = false;
            s.retryAt = Date.now() + wait;
          }
          round.clear();
          this.wake();
        },
      );
    }
  }

  #busy(): boolean {
    return this.#active > 0 || this.#states.anyQueued();
  }

  #fetchable(busy: boolean): PartitionState[] {
    const c = this.#c;
    if (c.rebalancing()) return [];
    const now = Date.now();
    if (c.uncertain(now)) return [];
    return this.#states.fetchable(now, busy, (s) => c.pauses.isPaused(s));
  }

  /** Sleep until woken, the next partition retry is due, or IDLE_MS passed. */
  #sleep(): Promise<void> {
    const wait = this.#states.msUntilDue(Date.now(), IDLE_MS);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), wait);
      this.#waiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** `polled`: the fetch did not wait at the broker; when it found nothing, the partition is asked again a little later. */
  #take(s: PartitionState, epoch: number, answer: PartitionFetch, polled: boolean): void {
    if (!s.owned || s.epoch !== epoch) return;
    if (answer.error) {
      // The batch waits for the partition's worker like fetched records do: the records before it settle first.
      if (answer.undecodable?.skipTo !== undefined && this.#c.onUndecodableBatch === 'dead-letter') s.queued = { records: [], epoch, undecodable: { batch: answer.undecodable, error: answer.error } };
      else this.#failed(s, answer.error);
      return;
    }
    s.failures = 0;
    // A fetch that goes through ends a stall of the fetch; one of a record ends when a record settles.
    if (s.stalled && FETCH_STALLS.has(s.stalled)) this.#progressed(s);
    // `end` is past what the fetch covered, transaction markers and aborted transactions included: once the
    // records before it settled, the commit moves there too, so lag reaches 0 on transactional topics.
    if (answer.records.length > 0 || answer.next > s.next) s.queued = { records: answer.records, epoch, end: answer.next, leaderEpoch: answer.lastEpoch };
    s.next = answer.next;
    s.lastEpoch = answer.lastEpoch;
    s.retryAt = 0;
    s.pollAt = answer.records.length === 0 && polled ? Date.now() + AT_END_POLL_MS : 0;
  }

  #failed(s: PartitionState, error: TributaryError): void {
    const c = this.#c;
    if (error.code === 'LOG_TRUNCATED') return this.#truncated(s, error);
    if (error.code === 'OFFSET_OUT_OF_RANGE') {
      s.resetting = true;
      const epoch = s.epoch;
      void c.resetPosition(s, error).then(
        (next) => {
          if (s.owned && s.epoch === epoch) {
            c.logger.warn({ topic: s.topic, partition: s.partition, from: s.next.toString(), to: next.toString() }, 'position outside the log; reading from the nearest end of it');
            this.#states.seek(s, next);
          }
        },
        (failure: unknown) => {
          c.logger.warn({ topic: s.topic, partition: s.partition, err: messageOf(failure) }, 'could not look up where the log lies; trying again');
          s.retryAt = Date.now() + RETRY.maxMs;
        },
      ).finally(() => {
        s.resetting = false;
        this.wake();
      });
      return;
    }
    // A moved leader or a broker out of reach passes: tried again with back-off, and reported stalled once it
    // lasts. Bytes that cannot be decoded do not pass: the partition stops there (until a seek moves it) rather
    // than retrying forever. An authorization refusal is asked again rarely; an unsupported broker never.
    if (error.retriable) {
      const wait = Math.min(RETRY.maxMs, RETRY.initialMs * 2 ** Math.min(s.failures++, 10));
      s.retryAt = Date.now() + wait;
      c.logger.debug({ topic: s.topic, partition: s.partition, err: error.message, retryInMs: wait }, 'partition fetch failed; trying again');
      if (s.failures >= FAILURES_BEFORE_STALL) this.#stalled(s, 'fetch-failing', error);
      return;
    }
    const reason: StallReason = error.code === 'AUTHORIZATION' ? 'authorization' : error.code === 'UNSUPPORTED' ? 'unsupported' : 'undecodable-batch';
    s.retryAt = reason === 'authorization' ? Date.now() + AUTHORIZATION_RETRY_MS : Number.POSITIVE_INFINITY;
    this.#stalled(s, reason, error);
  }

  /**
   * The log was truncated below the position by an unclean leader election: not a stall (nothing is stuck),
   * but a loss the application hears of. The partition reads on from where the new leader's log diverges:
   * the records from there are the new leader's and were never seen; those between were lost from the log.
   * The commit moves back there too, or a restart would resume past the new leader's records.
   */
  #truncated(s: PartitionState, error: TributaryError): void {
    const c = this.#c;
    const from = s.next;
    const to = BigInt(String(error.context.truncatedTo));
    c.logger.warn({ topic: s.topic, partition: s.partition, from: from.toString(), to: to.toString(), lost: (from - to).toString() }, 'log truncated by an unclean leader election: reading on from where the new leader\'s log begins to differ');
    c.truncated?.(s, from, to, error);
    c.committer.tracker(s.topic, s.partition)?.truncatedTo(to);
    this.#states.seek(s, to);
  }

  /**
   * Dead-letter a batch that cannot be decoded and read on after it. The partition waits (no fetch) while the
   * letter is written; the commit moves past the batch only once it is written, so a failed write skips nothing.
   */
  async #skipBatch(s: PartitionState, epoch: number, batch: UndecodableBatch, error: TributaryError): Promise<void> {
    const c = this.#c;
    const skipTo = batch.skipTo!;
    c.logger.warn({ topic: s.topic, partition: s.partition, offset: batch.baseOffset.toString(), skipTo: skipTo.toString(), err: error.message }, 'record batch cannot be decoded: dead-lettering its bytes');
    // Nothing is fetched meanwhile: the next fetch starts after the batch, or at it again if the write failed.
    s.resetting = true;
    let outcome;
    try {
      outcome = await c.processor.deadLetterBatch(s.topic, s.partition, { baseOffset: batch.baseOffset, skipTo, bytes: batch.bytes }, error);
    } finally {
      s.resetting = false;
    }
    if (!s.owned || s.epoch !== epoch) return;
    if (outcome === 'blocked') {
      // Fetched again from the batch once the pause ends; its letter is kept and written then.
      c.pauses.block(s);
      const why = c.processor.blockedBy(s.topic, s.partition);
      this.#stalled(s, why?.reason ?? 'dead-letter-failed', why?.error ?? error, batch.baseOffset);
      return;
    }
    c.committer.tracker(s.topic, s.partition)?.settleThrough(skipTo - 1n);
    if (s.stalled) this.#progressed(s);
    s.next = skipTo;
    this.wake();
  }

  #stalled(s: PartitionState, reason: StallReason, error: unknown, offset = s.next): void {
    s.stalled = reason;
    this.#c.stalled(s, reason, offset, error);
  }

  #progressed(s: PartitionState): void {
    s.stalled = undefined;
    this.#c.progressed(s);
  }

  /** Start workers for partitions with records waiting, up to the concurrency, oldest waiting first. */
  #kick(): void {
    if (this.#active >= this.#c.concurrency || this.#c.signal.aborted) return;
    for (const s of this.#states.waitingInTurn()) {
      // #work marks it working at once, before the next one is looked at.
      void this.#work(s);
      if (this.#active >= this.#c.concurrency) return;
    }
  }

  async #work(s: PartitionState): Promise<void> {
    const queued = s.queued!;
    s.queued = undefined;
    s.working = true;
    this.#active++;
    // The partition's next records can be fetched while these are handled.
    this.wake();
    try {
      const settled = queued.epoch === s.epoch && (queued.records.length === 0 || (await this.#handle(s, queued)));
      if (settled && queued.epoch === s.epoch && queued.end !== undefined) this.#c.committer.tracker(s.topic, s.partition)?.settlePast(queued.end, queued.leaderEpoch);
      if (queued.epoch === s.epoch && queued.undecodable) await this.#skipBatch(s, queued.epoch, queued.undecodable.batch, queued.undecodable.error);
    } finally {
      s.working = false;
      if (--this.#active === 0) for (const resolve of this.#idle.splice(0)) resolve();
      this.#kick();
      // Nothing left in hand: the loop, asleep until its next poll, may now send the fetch that waits at the
      // broker at once, so a record written by the handler that just finished (a command's follow-up) comes
      // back as soon as it is appended rather than at the next poll.
      if (this.#active === 0) this.wake();
    }
  }

  /** Take a fetch's records through the processor in order; true when every one of them settled. */
  async #handle(s: PartitionState, { records, epoch, leaderEpoch }: QueuedFetch): Promise<boolean> {
    const c = this.#c;
    const { topic, partition } = s;
    const tracker = c.committer.tracker(topic, partition);
    if (!tracker) return false;
    let sliceStart = performance.now();
    let n = 0;
    // The clock is read before the first record, after every wait and every 64 records: not per record, which
    // would add a clock read (some 50 ns) to each record of a synchronous run.
    let waited = true;
    let offset = records[0]!.offset;
    try {
      for (const r of records) {
        offset = r.offset;
        if ((++n & 63) === 0 || waited) {
          // Records handled without a Promise run back to back; now and then the event loop gets a turn, so
          // heartbeats, commits, fetches and other partitions are not held up by a long synchronous run.
          if (performance.now() - sliceStart > SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            sliceStart = performance.now();
          }
          // The process may have stood still past the session timeout (these records were fetched before):
          // another member may own the partition by now, so nothing is handed over until the coordinator says.
          if (c.uncertain(Date.now())) return this.#rewound(s, epoch, offset);
          waited = false;
        }
        // A stop, rebalance, pause, seek or revocation makes the rest moot: it is read again from here.
        if (s.epoch !== epoch || c.signal.aborted || c.rebalancing() || c.pauses.isPaused(s)) return this.#rewound(s, epoch, offset);
        let outcome = c.processor.process({ topic, partition, offset, record: asEventRecord(r) }, c.signal);
        if (typeof outcome !== 'string') {
          outcome = await outcome;
          waited = true;
          // Moved elsewhere (a seek) or given away while the handler ran: where it reads now is settled elsewhere.
          if (s.epoch !== epoch) return false;
        }
        if (outcome === 'blocked') return this.#blocked(s, epoch, offset);
        if (outcome === 'aborted') return this.#rewound(s, epoch, offset);
        tracker.settleThrough(offset, leaderEpoch);
        c.pauses.settled(s);
        if (s.stalled) this.#progressed(s);
      }
    } catch (error) {
      // The processor never throws, so this is a bug (a tracker invariant broken, say). Rather than crash the
      // client, the partition waits and its unsettled records are fetched again after the back-off.
      const wait = c.pauses.block(s);
      c.logger.error({ topic, partition, err: messageOf(error), resumeInMs: wait }, 'record handling failed; partition paused');
      this.#states.rewind(s, epoch, offset);
      return false;
    }
    return true;
  }

  /** A record could not be settled (a dead letter not written, say): the partition pauses, reports the stall and reads again from it. */
  #blocked(s: PartitionState, epoch: number, offset: bigint): false {
    const c = this.#c;
    const wait = c.pauses.block(s);
    c.logger.debug({ topic: s.topic, partition: s.partition, offset: offset.toString(), resumeInMs: wait }, 'partition paused: a record could not be settled');
    const why = c.processor.blockedBy(s.topic, s.partition);
    this.#stalled(s, why?.reason ?? 'dead-letter-failed', why?.error ?? new Error('a record could not be settled'), offset);
    return this.#rewound(s, epoch, offset);
  }

  /** Rewind the partition to `offset` (PartitionStates.rewind), then false: what #handle answers for records it did not all settle. */
  #rewound(s: PartitionState, epoch: number, offset: bigint): false {
    this.#states.rewind(s, epoch, offset);
    return false;
  }

}
