import type { Consumer } from 'kafkajs';
import type { KafkaClient } from '../connection/kafka-client.js';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { asTributaryError } from '../errors.js';
import { createCommittingConsumer, type InternalBroker, type InternalOffsetCommit } from '../internal/kafkajs-internals.js';
import { kGenerationFenced, kKafkajs } from '../internal/symbols.js';
import { CommitEpochs, sendOffsetCommit, type OffsetWithEpoch } from './group-commit.js';

/** Options of a {@link GroupMembership}: Kafka's group timeouts. */
export interface GroupMembershipOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/** What a member is told by the group coordinator, through kafkajs. */
export interface MembershipListener {
  /**
   * A join completed: this member owns exactly `assignment` now (`{ topic: [partitions] }`). With `lost`, the
   * member's membership ended since its last join (it joined again under a new member id: its session expired,
   * or the coordinator forgot it), so other members may have owned, read and committed its partitions meanwhile:
   * what it held of them, positions included, is stale, even for partitions it gets back.
   */
  joined(assignment: Record<string, number[]>, lost: boolean): void;
  /**
   * A rebalance began: what this member owns may be taken away once it rejoins. Also told when kafkajs rejoins
   * by itself (a heartbeat found this member unknown to the coordinator), which kafkajs reports only once the
   * join is done.
   */
  rebalancing(): void;
  /** A heartbeat went through: the coordinator knows this member, and no rebalance is under way. */
  heartbeat(): void;
  /** The client failed; with `restart` it rejoins by itself, else it gave up. */
  crashed(error: Error, restart: boolean): void;
}

/**
 * Who a member is in its group now (Java's ConsumerGroupMetadata): what a transaction's offsets are sent with
 * (TxnOffsetCommit v3, KIP-447), so that the coordinator refuses them once this member's generation is over.
 */
export interface GroupMetadata {
  readonly groupId: string;
  /** The generation of the member's last join; -1 before the first. */
  readonly generationId: number;
  /** The member id of its last join; '' before the first. */
  readonly memberId: string;
  /** Static membership's instance id (KIP-345); null for a dynamic member, as Tributary's are. */
  readonly groupInstanceId: string | null;
}

/** A GroupMetadata as the membership hands it out: the transactional writer tells it when the coordinator fenced it. */
export interface FenceableGroupMetadata extends GroupMetadata {
  readonly [kGenerationFenced]?: () => void;
}

/** A commit under way: the generation its first attempt went out in, and whether an attempt was accepted. */
interface CommitUnderWay {
  generation: number | undefined;
  accepted: boolean;
  /** Set when an attempt in a later generation was refused. */
  refused?: TributaryError;
}

/**
 * Membership of a consumer group, kept by kafkajs' consumer: join, heartbeats, rebalances and commits with the
 * generation. The consumer never reads records through it (every topic is paused at each join); Tributary's
 * own fetch loop reads what the assignment names, so the member only keeps its place in the group.
 *
 * `lastConfirmedAt` is when the coordinator last confirmed this member (a join or a heartbeat): a member whose
 * process stood still longer than its session timeout may have lost its partitions without being told yet.
 * Heartbeats go out every `heartbeatIntervalMs`, so a member in good standing is confirmed that often.
 */
export class GroupMembership {
  readonly #consumer: Consumer;
  readonly #options: GroupMembershipOptions;
  readonly #epochs = new CommitEpochs();
  #lastConfirmedAt = 0;
  /** When the last heartbeat or sync request that got an answer was sent. */
  #answeredSentAt: number | undefined;
  /** The commit under way: the generation its first attempt went out in, and whether an attempt was accepted. */
  #commit: CommitUnderWay | undefined;
  /** The member id of the last join: kafkajs joins under a new one once the coordinator forgot the member. */
  #memberId: string | undefined;
  /** The generation and member id of the last answered SyncGroup. */
  #synced = { generationId: -1, memberId: '' };
  /**
   * Set when this member may have missed a generation without changing its member id: the coordinator fenced a
   * transaction of its current generation, or a sync skipped a generation. Others may have owned its partitions
   * meanwhile, so its next join counts as a lost membership.
   */
  #missedGeneration = false;

  constructor(client: KafkaClient, options: GroupMembershipOptions) {
    this.#options = options;
    const config = {
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      // With every partition paused, kafkajs' consumer sleeps maxWaitTime between heartbeats: its 5 s default
      // would space them by 5 s whatever the interval (with a 6 s session, nearly by the session timeout).
      maxWaitTimeInMs: options.heartbeatIntervalMs,
      allowAutoTopicCreation: false,
    };
    // kafkajs commits with the member's generation; Tributary's OffsetCommit adds each offset's leader epoch.
    this.#consumer = createCommittingConsumer(client[kKafkajs], config, {
      commit: (broker, request, kafkajsCommit) => this.#send(broker, request, kafkajsCommit),
      synced: (generationId, memberId) => this.#onSynced(generationId, memberId),
    });
  }

  /** Milliseconds since the epoch when the coordinator last confirmed this member; 0 before the first join. */
  get lastConfirmedAt(): number {
    return this.#lastConfirmedAt;
  }

  /** Connect to the cluster. @throws TributaryError CONNECTION (or AUTHORIZATION). */
  async connect(): Promise<void> {
    try {
      await this.#consumer.connect();
    } catch (error) {
      throw asTributaryError(error, `Connecting member of group "${this.#options.groupId}"`, { groupId: this.#options.groupId });
    }
  }

  /**
   * Subscribe and join; `listener` hears of joins, rebalances, heartbeats and crashes from now on. Resolves once
   * kafkajs runs (the first join is reported through `listener.joined`).
   */
  async join(listener: MembershipListener): Promise<void> {
    const c = this.#consumer;
    c.on(c.events.REQUEST, ({ payload }) => {
      // Every join begins by looking up the coordinator. kafkajs tells of a rejoin only once it is done
      // (GROUP_JOIN), and of none beforehand when a heartbeat found this member unknown to the coordinator
      // ("The coordinator is not aware of this member"): the lookup is the first sign of it.
      if (payload.apiName === 'GroupCoordinator') listener.rebalancing();
      // The coordinator's session clock restarted when the request reached it, not when its answer is read
      // here: after the process stood still, that may be long after the session ended.
      else if (payload.apiName === 'Heartbeat' || payload.apiName === 'SyncGroup') this.#answeredSentAt = payload.sentAt;
    });
    c.on(c.events.GROUP_JOIN, (e) => {
      this.#confirmed();
      // Before kafkajs' first fetch of the generation: it must never read (a client restarted after a crash
      // forgets its pauses).
      this.#pauseAll();
      const lost = (this.#memberId !== undefined && e.payload.memberId !== this.#memberId) || this.#missedGeneration;
      this.#memberId = e.payload.memberId;
      this.#missedGeneration = false;
      listener.joined(e.payload.memberAssignment, lost);
    });
    c.on(c.events.REBALANCING, () => listener.rebalancing());
    c.on(c.events.HEARTBEAT, () => {
      this.#confirmed();
      listener.heartbeat();
    });
    c.on(c.events.CRASH, (e) => listener.crashed(e.payload.error, e.payload.restart));
    try {
      await c.subscribe({ topics: [...this.#options.topics], fromBeginning: true });
      await c.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    } catch (error) {
      throw asTributaryError(error, `Joining consumer group "${this.#options.groupId}"`, { groupId: this.#options.groupId });
    }
  }

  /**
   * Commit offsets with this member's generation: refused by the coordinator when the member no longer owns the
   * partitions (a rebalance moved them), so a commit can never overwrite the new owner's progress. Each offset's
   * `leaderEpoch` (the epoch of the last record consumed before it) is committed with it (OffsetCommit v7, as
   * Java's consumer commits), so a member starting from the commit can check its position against the leader's
   * log; -1 (unknown) where it is not given.
   */
  async commit(offsets: readonly OffsetWithEpoch[]): Promise<void> {
    this.#epochs.set(offsets);
    const commit: CommitUnderWay = (this.#commit = { generation: undefined, accepted: false });
    try {
      await this.#consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })));
    } catch (error) {
      // kafkajs wraps the refusal of a retry in a later generation in its own error: the refusal is what happened.
      throw commit.refused ?? asTributaryError(error, `Committing for group "${this.#options.groupId}"`, { groupId: this.#options.groupId });
    } finally {
      this.#commit = undefined;
    }
    // kafkajs returns without sending while its client is between a crash and its restart, and resolves when an
    // attempt failed as it stopped: only an answer accepting the commit means it was made.
    if (!commit.accepted) {
      throw new TributaryError(ErrorCodes.COMMIT_FAILED, `The commit for group "${this.#options.groupId}" was not sent: the member's client is not running (it rejoins after a failure); nothing was committed`, { retriable: true, context: { groupId: this.#options.groupId } });
    }
  }

  /**
   * This member's generation and id now, for a transaction's offsets (see {@link GroupMetadata}). Take it when the
   * offsets are taken: a transaction that sends it after a rebalance is then refused, never committed under a
   * later generation.
   */
  groupMetadata(): GroupMetadata {
    const { generationId, memberId } = this.#synced;
    const metadata: FenceableGroupMetadata = {
      groupId: this.#options.groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      // Fenced in the generation it still is in: the coordinator went on to another one without this member
      // syncing it (as Java's consumer resets its generation and reports its partitions lost).
      [kGenerationFenced]: () => {
        if (this.#synced.generationId === generationId && this.#synced.memberId === memberId) this.#missedGeneration = true;
      },
    };
    return metadata;
  }

  /** Leave the group (its partitions go to the other members at once) and disconnect. */
  async leave(): Promise<void> {
    await this.#consumer.disconnect();
  }

  /**
   * One attempt of the commit under way, as kafkajs makes it: kafkajs retries a failed commit with the member's
   * generation at the time of each attempt, so after a rebalance a retry would commit, in the new generation,
   * partitions the rebalance gave to another member. An attempt in another generation than the first is refused,
   * as Java's consumer fails such a commit (CommitFailedException); the offsets settle again under the new
   * assignment.
   */
  async #send(broker: InternalBroker, request: InternalOffsetCommit, kafkajsCommit: () => Promise<unknown>): Promise<unknown> {
    const commit = this.#commit;
    if (commit) {
      commit.generation ??= request.groupGenerationId;
      if (request.groupGenerationId !== commit.generation) {
        throw (commit.refused = new TributaryError(ErrorCodes.COMMIT_FAILED, `The commit for group "${this.#options.groupId}" was made in generation ${commit.generation}, which a rebalance ended (now ${request.groupGenerationId}); nothing was committed`, {
          retriable: false,
          context: { groupId: this.#options.groupId, generation: commit.generation, current: request.groupGenerationId },
        }));
      }
    }
    const answer = await sendOffsetCommit(broker, request, this.#epochs, kafkajsCommit);
    if (commit) commit.accepted = true;
    return answer;
  }

  /** A SyncGroup was answered. A generation skipped under the same member id was one this member did not sync. */
  #onSynced(generationId: number, memberId: string): void {
    const before = this.#synced;
    if (before.memberId === memberId && before.generationId >= 0 && generationId > before.generationId + 1) this.#missedGeneration = true;
    this.#synced = { generationId, memberId };
  }

  #confirmed(): void {
    this.#lastConfirmedAt = this.#answeredSentAt ?? Date.now();
    this.#answeredSentAt = undefined;
  }

  #pauseAll(): void {
    try {
      this.#consumer.pause(this.#options.topics.map((topic) => ({ topic })));
    } catch {
      // kafkajs throws while it is between runs (after a crash): then it reads nothing anyway.
    }
  }
}
