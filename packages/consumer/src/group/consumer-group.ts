import { ErrorCodes, TributaryError, type EventOffset, type Position } from '@tributary/core';
import { fromPartitionKey, GroupMembership, KafkaAdmin, KafkaReader, partitionName, type PartitionLag, type TopicPartition } from '@tributary/kafka';
import { Committer, type OffsetToCommit } from '../commit/committer.js';
import { asTributaryError, ConsumerStateError } from '../errors.js';
import { KafkaDeadLetterPublisher } from '../failure/kafka-dead-letter-publisher.js';
import type { PartitionStall } from '../health/stalls.js';
import { within } from '../internal/deadline.js';
import { delay } from '../internal/delay.js';
import { messageOf, type ConsumerLogger } from '../logging/logger.js';
import { ConsumerMetrics } from '../metrics/consumer-metrics.js';
import { SeekState } from '../positions/seek-state.js';
import { parseStartPosition, type StartPosition } from '../positions/start-position.js';
import { RecordProcessor, type ProcessingObserver } from '../processing/record-processor.js';
import { Assignment } from '../rebalance/assignment.js';
import { MembershipLease } from '../rebalance/membership-lease.js';
import { FetchLoop } from './fetch-loop.js';
import { GroupCommits } from './group-commits.js';
import { countingObserver, type ConsumerGroupCounters } from './group-counters.js';
import { GroupNotices } from './group-notices.js';
import { resolveOptions, type ConsumerGroupOptions, type ResolvedOptions } from './options.js';
import { PauseControl } from './pause-control.js';
import { checkTopics, initialOffsets, nearestInLog, positionsOnAssignment, seekTargets } from './startup.js';

export type { ConsumerGroupCounters } from './group-counters.js';

/** Where a group is in its life: idle -> starting -> running -> stopping -> stopped; failed when start failed or the client gave up. */
export type ConsumerGroupState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * A member of a Kafka consumer group that routes each event to the handler of its category.
 *
 * Delivery contract (at-least-once):
 * - Each record is handled at least once, in offset order within its partition; partitions are handled
 *   concurrently (`partitionsConcurrently`). Duplicates happen only for records handled but not yet committed
 *   when a member stops abruptly or a partition moves at a rebalance.
 * - The committed offset is the next one to read. It moves only forward, and only past records whose handling
 *   settled: handled, filtered out (no handler matches: skipped without decoding, and committed so lag does not
 *   grow) or dead-lettered. Commits go out every `commitIntervalMs`, when a rebalance begins, and at stop, and
 *   only for partitions this member owns.
 * - A member the coordinator has not confirmed for nearly its session timeout (its process stood still, its
 *   network was cut) hands no record over and commits nothing until a heartbeat or a join confirms it, so a
 *   partition another member took over meanwhile gets no further record here (a handler already running when
 *   the process stood still finishes; a run of synchronous handlers notices within 64 records).
 * - A failing handler is retried with bounded exponential back-off, then the raw record goes to the dead-letter
 *   topic with headers naming its origin, the error and the attempts. Records that cannot be decoded go there at
 *   once (attempts 0). If the dead-letter write fails, the partition pauses and tries again later: no record is
 *   ever skipped.
 * - `from` applies to partitions the group has no commit for; committed partitions resume at their commit. A
 *   seek takes effect before any further delivery of this member: no earlier record reaches its handlers.
 */
export class ConsumerGroup implements AsyncDisposable {
  readonly #o: ResolvedOptions;
  readonly #logger: ConsumerLogger;
  readonly #counters: ConsumerGroupCounters = { handled: 0, filtered: 0, retried: 0, deadLettered: 0 };
  readonly #committer = new Committer();
  readonly #seeks = new SeekState();
  readonly #assignment = new Assignment();
  readonly #stopSignal = new AbortController();
  readonly #notices: GroupNotices;
  readonly #commits: GroupCommits;
  readonly #pauses: PauseControl;
  readonly #lease: MembershipLease;
  readonly #processor: RecordProcessor;
  readonly #loop: FetchLoop;
  readonly #metrics: { observer: ProcessingObserver; unbind(): void } | undefined;
  #state: ConsumerGroupState = 'idle';
  #membership: GroupMembership | undefined;
  #admin: KafkaAdmin | undefined;
  #publisher: KafkaDeadLetterPublisher | undefined;
  #fetcher: KafkaReader | undefined;
  /** Where `from` put each partition the group had no commit for at start. */
  #initial: ReadonlyMap<string, bigint> = new Map();
  /** Counts joins: positions looked up for one assignment are dropped once a later one came. */
  #generation = 0;
  #rebalancing = false;
  #joinWaiter: { resolve(): void; reject(error: unknown): void } | undefined;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;

  /** @throws InvalidArgumentError whose `context.option` names the wrong option (`topics[0]`, `retry.attempts`...). */
  constructor(options: ConsumerGroupOptions) {
    const o = (this.#o = resolveOptions(options));
    this.#logger = o.logger;
    this.#lease = new MembershipLease(() => this.#membership?.lastConfirmedAt ?? 0, o, (silentMs) =>
      this.#logger.warn({ groupId: o.groupId, silentMs, sessionTimeoutMs: o.sessionTimeoutMs }, 'no word from the group coordinator for nearly the session timeout: handling and commits wait until it confirms this member'),
    );
    this.#metrics = o.metrics ? ConsumerMetrics.of(o.metrics.registry).bind(o.groupId, () => this.lag(), () => this.stalled()) : undefined;
    const observer = countingObserver(this.#counters, this.#metrics?.observer);
    const notices = (this.#notices = new GroupNotices(o));
    this.#commits = new GroupCommits({
      groupId: o.groupId, committer: this.#committer, logger: o.logger, sink: o.commitOffsets,
      membership: () => this.#membership,
      lapsed: (now) => this.#lease.lapsed(now),
    });
    // The fetch loop asks PauseControl before each fetch and record; a resume only has to wake it.
    this.#pauses = new PauseControl({ pause: () => {}, resume: () => this.#loop.wake() }, o.deadLetterBackoff);
    this.#processor = new RecordProcessor({
      router: o.router, codecs: o.codecs, retry: o.retry, group: o.groupId, deadLetterTopic: o.deadLetterTopic, logger: o.logger, observer,
      publisher: { publish: (letter) => this.#publisher!.publish(letter) },
    });
    this.#loop = new FetchLoop({
      fetcher: { fetchPartitions: (requests, options, each) => this.#fetcher!.fetchPartitions(requests, options, each) },
      processor: this.#processor,
      committer: this.#committer,
      pauses: this.#pauses,
      logger: o.logger,
      signal: this.#stopSignal.signal,
      concurrency: o.partitionsConcurrently,
      fetch: { maxWaitMs: o.fetchMaxWaitMs, maxBytesPerPartition: o.fetchMaxBytesPerPartition, maxBytes: o.fetchMaxBytes },
      rebalancing: () => this.#rebalancing,
      uncertain: (now) => this.#lease.lapsed(now),
      resetPosition: (p) => nearestInLog(this.#admin!, p),
      onUndecodableBatch: o.onUndecodableBatch,
      stalled: (p, reason, offset, error) => notices.stall(p, reason, offset, error),
      progressed: (p) => notices.progressed(p),
      // The fetch loop has logged it and reads on; the application hears of the lost records through onError.
      truncated: (_p, _from, _to, error) => notices.report(error),
    });
  }

  /** What the group did so far; a live view. */
  get counters(): Readonly<ConsumerGroupCounters> {
    return this.#counters;
  }

  /** Where the group is in its life (see {@link ConsumerGroupState}); 'failed' after the client gave up. */
  get state(): ConsumerGroupState {
    return this.#state;
  }

  /** The consumer group this member belongs to. */
  get groupId(): string {
    return this.#o.groupId;
  }

  /**
   * The partitions of this member that cannot progress now, with the reason and the error (a health check's
   * answer). Each one was also reported through `onError`, a warning and the stalled gauge.
   */
  stalled(): PartitionStall[] {
    return this.#notices.stalled();
  }

  /** The partitions this member owns now. */
  assignment(): TopicPartition[] {
    return this.#assignment.list();
  }

  /**
   * Connect, apply the start position (`from`), join the group and start handling. Resolves once this member
   * joined the group and got its first assignment.
   * @throws OffsetOutOfRangeError when `from` lies outside a partition's range (unless `onOutOfRange` resets);
   *   InvalidArgumentError when a topic does not exist; TributaryError CONNECTION when Kafka cannot be reached or
   *   the client gives up; ABORTED when `signal` aborts first; CONSUMER_STATE when not idle.
   */
  start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#state !== 'idle') return Promise.reject(new ConsumerStateError('start', this.#state));
    this.#state = 'starting';
    this.#starting = this.#start(options.signal).then(
      () => {
        this.#state = 'running';
      },
      async (error: unknown) => {
        this.#state = 'failed';
        await this.#disconnect(Date.now() + this.#o.stopDeadlineMs);
        throw error;
      },
    );
    return this.#starting;
  }

  async #start(signal: AbortSignal | undefined): Promise<void> {
    const o = this.#o;
    const admin = (this.#admin = new KafkaAdmin(o.client));
    const publisher = (this.#publisher = new KafkaDeadLetterPublisher(o.client));
    const membership = (this.#membership = new GroupMembership(o.client, o));
    this.#fetcher = new KafkaReader(o.client, { isolationLevel: o.isolationLevel });
    try {
      await Promise.all([admin.connect(), publisher.connect(), membership.connect()]);
      await checkTopics(admin, o, this.#logger);
      this.#initial = await initialOffsets(admin, o);
    } catch (error) {
      throw asTributaryError(error, `Connecting consumer group "${o.groupId}"`, { groupId: o.groupId });
    }
    const joined = new Promise<void>((resolve, reject) => {
      this.#joinWaiter = { resolve, reject };
      signal?.addEventListener('abort', () => reject(new TributaryError(ErrorCodes.ABORTED, 'start() was aborted', { cause: signal.reason })), { once: true });
    });
    // The membership keeps this member's place in the group; the fetch loop reads the assigned partitions.
    await membership.join({
      joined: (assignment, lost) => this.#onJoin(assignment, lost),
      rebalancing: () => this.#onRebalancing('rebalance'),
      // A heartbeat that went through means no rebalance is under way (a failed one may have been a passing
      // coordinator move that kafkajs got over without rejoining): handling goes on.
      heartbeat: () => this.#confirmed(),
      crashed: (error, restart) => this.#onCrash(error, restart),
    });
    this.#loop.start();
    await joined;
    this.#commits.startInterval(o.commitIntervalMs);
  }

  /**
   * Stop: stop taking new records, let handlers in flight finish (their `signal` aborts, and retry back-offs
   * end), commit what settled, and leave the group, within `deadlineMs` (default `stopDeadlineMs`). Records not
   * settled are delivered again to the next owner. Idempotent; a group never started just becomes stopped.
   * @throws TributaryError TIMEOUT when the deadline passed first (the commit and the leave may be missing: the
   *   uncommitted records are delivered again, and the group notices this member gone after its session timeout).
   */
  stop(options: { deadlineMs?: number } = {}): Promise<void> {
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      this.#metrics?.unbind();
      return Promise.resolve();
    }
    this.#stopping ??= this.#stop(Date.now() + (options.deadlineMs ?? this.#o.stopDeadlineMs));
    return this.#stopping;
  }

  async #stop(deadline: number): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const wasRunning = this.#state === 'running';
    this.#state = 'stopping';
    this.#stopSignal.abort(new TributaryError(ErrorCodes.ABORTED, 'the consumer group is stopping'));
    this.#commits.stopInterval();
    this.#pauses.close();
    let drained = true;
    let left = true;
    if (wasRunning) {
      // The stop signal ended the fetch loop; handlers in flight finish (or see the signal and give up).
      drained = await within(deadline, this.#loop.whenIdle());
      if (drained) await within(deadline, this.#commits.commitNow('stop'));
    }
    // Also after the client gave up (state 'failed'): the producer and admin are still connected.
    if (this.#membership) left = await this.#disconnect(deadline);
    const change = this.#assignment.clear();
    this.#notices.revoked(change.revoked);
    this.#metrics?.unbind();
    this.#state = 'stopped';
    this.#logger.info({ groupId: this.#o.groupId, drained, left }, 'consumer group stopped');
    if (!drained || !left) {
      throw new TributaryError(ErrorCodes.TIMEOUT, `Stopping consumer group "${this.#o.groupId}" passed its deadline ${drained ? 'while leaving the group' : 'with handlers still running'}`, {
        context: { groupId: this.#o.groupId, drained, left },
      });
    }
  }

  /** Disconnect every client; true when the consumer left the group before the deadline. */
  async #disconnect(deadline: number): Promise<boolean> {
    const left = await within(deadline, this.#membership?.leave() ?? Promise.resolve());
    await within(deadline, Promise.allSettled([this.#publisher?.disconnect(), this.#admin?.close(), this.#fetcher?.close()]));
    return left;
  }

  /**
   * Move THIS MEMBER's reading to `position` while running (other members of the group are not moved; to move
   * the whole group, stop it and call `resetGroupOffsets()`): a Position (or its text), an EventOffset, a time,
   * 'earliest' or 'latest'. Each partition it names that this member owns is read next from there, and no
   * earlier record of it reaches this member's handlers; a partition owned by another member is moved if and
   * when it is assigned here. A seek forward commits past the records skipped; a seek backward commits nothing
   * until handling passes the last commit again (commits only move forward).
   * @throws OffsetOutOfRangeError naming the valid range (unless `onOutOfRange` resets); InvalidArgumentError for
   *   a malformed position or one naming a topic not read; CONSUMER_STATE when not running.
   */
  async seek(position: StartPosition | EventOffset | Position): Promise<void> {
    this.#requireRunning('seek');
    const o = this.#o;
    const targets = await seekTargets(this.#admin!, parseStartPosition(position, 'position', o.topics), o);
    for (const [key, next] of targets) {
      const p = fromPartitionKey(key);
      // A partition whose first position is still being looked up takes the seek with it (#adopt).
      if (this.#loop.position(p) !== undefined) this.#seekOwned(p, next);
      else this.#seeks.request(p, next, false);
    }
    this.#logger.info({ groupId: o.groupId, partitions: targets.size }, 'seek requested');
  }

  /** Read every partition again from the start of its log (see {@link seek}). */
  seekToBeginning(): Promise<void> {
    return this.seek('earliest');
  }

  /** Stop fetching from these partitions (default: every partition, also those assigned later) until resumed. */
  pause(partitions?: readonly TopicPartition[]): void {
    this.#requireRunning('pause');
    this.#pauses.pauseByUser(partitions ?? 'all', this.#assignment.list());
  }

  /** Fetch again from partitions paused by {@link pause} (default: all). One blocked by a dead letter stays paused. */
  resume(partitions?: readonly TopicPartition[]): void {
    this.#requireRunning('resume');
    this.#pauses.resumeByUser(partitions ?? 'all', this.#assignment.list());
  }

  /** The partitions paused by {@link pause}. */
  paused(): TopicPartition[] {
    return this.#pauses.pausedByUser(this.#assignment.list());
  }

  /** Commit what has settled now, rather than at the next interval. Resolves with the offsets committed. */
  async commit(): Promise<readonly OffsetToCommit[]> {
    this.#requireRunning('commit');
    return this.#commits.commitNow('request', true);
  }

  /**
   * Per-partition lag of the group on its topics: the high watermark minus the group's committed offset,
   * from the broker (so it includes what other members owe). Cheap to poll: every call goes over the connections
   * the group already has, to the coordinator it found before.
   * @throws CONSUMER_STATE unless starting or running.
   */
  async lag(): Promise<PartitionLag[]> {
    if (this.#state !== 'running' && this.#state !== 'starting') throw new ConsumerStateError('read the lag of', this.#state);
    return this.#admin!.lag(this.#o.groupId, this.#o.topics);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #requireRunning(operation: string): void {
    if (this.#state !== 'running') throw new ConsumerStateError(operation, this.#state);
  }

  /** Seek a partition being read now: records fetched beyond are dropped, the one in hand is its last. */
  #seekOwned(p: TopicPartition, next: bigint): void {
    this.#seeks.request(p, next, true);
    this.#loop.seek(p, next);
    this.#committer.tracker(p.topic, p.partition)?.seekTo(next);
    this.#processor.forget(p.topic, p.partition);
    this.#pauses.unblock(p);
  }

  /**
   * A join completed: this member owns exactly `memberAssignment` now. After a lost membership everything it
   * held is revoked first, positions and settled offsets included, and what it owns is read again from the
   * group's commits: another member may have handled and committed those partitions meanwhile.
   */
  #onJoin(memberAssignment: Record<string, number[]>, lost: boolean): void {
    const generation = ++this.#generation;
    if (lost) this.#logger.warn({ groupId: this.#o.groupId }, 'this member lost its membership and joined again: what it held is dropped, and it goes on from the group\'s commits');
    const change = this.#assignment.update(memberAssignment, lost);
    this.#committer.assign(change.owned);
    for (const p of change.revoked) this.#processor.forget(p.topic, p.partition);
    this.#loop.revoke(change.revoked);
    for (const p of change.revoked) this.#notices.forget(p);
    this.#pauses.assign(change.owned);
    this.#confirmed();
    this.#logger.info({ groupId: this.#o.groupId, owned: change.owned.length, assigned: change.assigned.map(partitionName), revoked: change.revoked.map(partitionName) }, 'joined the group');
    this.#notices.revoked(change.revoked);
    this.#notices.assigned(change.assigned);
    // Partitions owned but not read yet: newly assigned ones, and any whose first lookup an earlier join cut short.
    const unread = change.owned.filter((p) => this.#loop.position(p) === undefined);
    void this.#adopt(unread, generation).then(() => {
      this.#joinWaiter?.resolve();
      this.#joinWaiter = undefined;
    });
  }

  /**
   * Start reading newly assigned partitions: from a seek made for them meanwhile, else from the group's commit
   * (or, with none, the start of the log, or its end for `from: 'latest'`), never below the start position. A
   * lookup that fails is tried again while the assignment stands.
   */
  async #adopt(assigned: readonly TopicPartition[], generation: number): Promise<void> {
    for (let attempt = 0; assigned.length > 0 && generation === this.#generation && !this.#stopSignal.signal.aborted; attempt++) {
      try {
        const positions = await positionsOnAssignment(this.#admin!, this.#o, assigned, this.#seeks, this.#initial);
        if (generation !== this.#generation) return;
        const pending = this.#seeks.takePending(assigned);
        this.#loop.assign(positions);
        for (const s of pending) this.#seekOwned(s, s.next);
        return;
      } catch (error) {
        const wait = Math.min(5000, 200 * 2 ** attempt);
        this.#logger.warn({ groupId: this.#o.groupId, err: messageOf(error), retryInMs: wait }, 'could not look up where to read the assigned partitions; trying again');
        await delay(wait, this.#stopSignal.signal);
      }
    }
  }

  /** A rebalance began: handle no further record, and commit what settled while the generation is still valid. */
  #onRebalancing(reason: string): void {
    if (this.#rebalancing) return;
    this.#rebalancing = true;
    void this.#commits.commitNow(reason);
  }

  /** A join or a heartbeat went through: no rebalance is under way (any more), and reading goes on. */
  #rebalanceOver(): void {
    if (!this.#rebalancing) return;
    this.#rebalancing = false;
    this.#loop.wake();
  }

  /** The coordinator confirmed this member (a heartbeat or a join): no rebalance is under way, and it owns what it had. */
  #confirmed(): void {
    this.#rebalanceOver();
    if (this.#lease.renewed()) this.#loop.wake();
  }

  #onCrash(error: Error, restart: boolean): void {
    this.#logger.error({ groupId: this.#o.groupId, err: messageOf(error), restart }, restart ? 'kafka client crashed; it restarts and rejoins' : 'kafka client crashed and gave up');
    // The crashed client left the group: nothing is read until a join says which partitions are still ours.
    this.#rebalancing = true;
    if (restart) return;
    const failure = asTributaryError(error, `Consumer group "${this.#o.groupId}"`, { groupId: this.#o.groupId });
    this.#joinWaiter?.reject(failure);
    this.#joinWaiter = undefined;
    if (this.#state === 'running') this.#state = 'failed';
  }
}
