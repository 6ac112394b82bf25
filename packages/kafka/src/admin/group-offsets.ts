import { ErrorCodes, TributaryError } from '@tributary/core';
import { brokerSupports, kafkaProtocolError, sendRawRequest } from '../internal/kafkajs-internals.js';
import type { GroupCoordinators } from './group-coordinators.js';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest, OFFSET_FETCH_API_KEY, OFFSET_FETCH_STABLE_VERSION, OFFSET_FETCH_VERSION, UNSTABLE_OFFSET_COMMIT, type OffsetFetchResponse } from '../protocol/offset-fetch-protocol.js';
import { partitionKey, topicOffsets, type TopicPartition } from './topic-partition.js';

/** Broker answers meaning "the group has members (or is rebalancing)": its commits are theirs to make. */
const GROUP_ACTIVE = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS']);

/** A group's commit of one partition: the next offset to read, and the leader epoch it was committed with. */
export interface GroupCommit {
  readonly offset: bigint;
  /** The epoch of the last record consumed before `offset` (KIP-320); -1 when the commit carried none. */
  readonly leaderEpoch: number;
  /** The metadata text committed with it (a transactional writer names its transaction there); null when none. */
  readonly metadata: string | null;
}

/**
 * Set the commits of a group that has no active member, as Java's `Admin.alterConsumerGroupOffsets` does: one
 * OffsetCommit request with generation -1 and no member id, which the coordinator accepts only while the group
 * is empty (Kafka's GroupCoordinator: "the group is only using Kafka to store offsets"). So the check and the
 * write are one atomic step. Resolves false, having changed nothing, when the group has members.
 */
export async function setEmptyGroupOffsets(coordinators: GroupCoordinators, groupId: string, offsets: ReadonlyArray<TopicPartition & { offset: bigint }>): Promise<boolean> {
  const topics = topicOffsets(offsets);
  return coordinators.on(groupId, async (coordinator) => {
    try {
      await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics });
      return true;
    } catch (error) {
      if (GROUP_ACTIVE.has((error as { type?: string }).type ?? '')) return false;
      throw error;
    }
  });
}

/** How a group's commits are read. */
export interface ReadGroupCommitsOptions {
  /**
   * Wait for offsets an open transaction holds for these partitions (OffsetFetch v7's `RequireStable`, KIP-447),
   * as Java's consumer does with isolation read_committed: a new owner of a partition then never starts from the
   * commit made before a transaction whose offsets already reached the coordinator, and so never handles again
   * what that transaction consumed. Brokers older than Kafka 2.5 (no v7) are asked without it. Default false.
   */
  readonly requireStable?: boolean;
  /** How long to wait for pending transactional offsets before failing; default 60 s (a transaction's default timeout). */
  readonly stableDeadlineMs?: number;
  /** Told each time the coordinator answers that these partitions have transactional offsets pending. */
  readonly onUnstable?: (partitions: readonly TopicPartition[]) => void;
}

const STABLE_DEADLINE_MS = 60_000;
const UNSTABLE_FIRST_BACKOFF_MS = 20;
const UNSTABLE_MAX_BACKOFF_MS = 200;

/**
 * A group's commits of these partitions, with the leader epoch each carries (OffsetFetch v5 or v7, which kafkajs'
 * own request predates), by partition key; partitions without a commit are absent. With `requireStable`, a
 * partition whose offsets a transaction holds is asked again (from 20 ms, doubling to 200 ms) until the
 * transaction ends or the deadline passes.
 * @throws TributaryError UNSUPPORTED for a broker older than Kafka 2.1; TIMEOUT (retriable) naming the group and
 *   the partitions still pending when the deadline passed; kafkajs' protocol error for a refusal
 *   (GROUP_AUTHORIZATION_FAILED, say).
 */
export async function readGroupCommits(coordinators: GroupCoordinators, groupId: string, partitions: readonly TopicPartition[], options: ReadGroupCommitsOptions = {}): Promise<Map<string, GroupCommit>> {
  const out = new Map<string, GroupCommit>();
  const deadline = Date.now() + (options.stableDeadlineMs ?? STABLE_DEADLINE_MS);
  let asked = partitions;
  for (let backoff = UNSTABLE_FIRST_BACKOFF_MS; asked.length > 0; backoff = Math.min(UNSTABLE_MAX_BACKOFF_MS, backoff * 2)) {
    const answer = await fetchCommits(coordinators, groupId, asked, options.requireStable === true);
    const unstable: TopicPartition[] = [];
    for (const p of answer.partitions) {
      if (p.errorCode === UNSTABLE_OFFSET_COMMIT || answer.errorCode === UNSTABLE_OFFSET_COMMIT) unstable.push({ topic: p.topic, partition: p.partition });
      else if (p.offset >= 0n) out.set(partitionKey(p.topic, p.partition), { offset: p.offset, leaderEpoch: p.leaderEpoch, metadata: p.metadata });
    }
    if (unstable.length === 0) break;
    options.onUnstable?.(unstable);
    if (Date.now() + backoff > deadline) {
      const names = unstable.map((p) => `${p.topic}[${p.partition}]`).join(', ');
      throw new TributaryError(ErrorCodes.TIMEOUT, `Group "${groupId}" still has transactional offsets pending for ${names} after ${options.stableDeadlineMs ?? STABLE_DEADLINE_MS} ms (UNSTABLE_OFFSET_COMMIT): the transaction that holds them has neither committed nor aborted`, {
        retriable: true,
        context: { groupId, topic: unstable[0]!.topic, partition: unstable[0]!.partition, partitions: unstable },
      });
    }
    await new Promise((r) => setTimeout(r, backoff));
    asked = unstable;
  }
  return out;
}

/** One OffsetFetch: v7 with `requireStable` when the coordinator speaks it, else v5 (which cannot carry it). */
async function fetchCommits(coordinators: GroupCoordinators, groupId: string, partitions: readonly TopicPartition[], requireStable: boolean): Promise<OffsetFetchResponse> {
  return coordinators.on(groupId, async (coordinator) => {
    const stable = requireStable && brokerSupports(coordinator, OFFSET_FETCH_API_KEY, OFFSET_FETCH_STABLE_VERSION);
    const version = stable ? OFFSET_FETCH_STABLE_VERSION : OFFSET_FETCH_VERSION;
    if (!stable && !brokerSupports(coordinator, OFFSET_FETCH_API_KEY, OFFSET_FETCH_VERSION)) {
      throw new TributaryError(ErrorCodes.UNSUPPORTED, `The group coordinator does not accept OffsetFetch version ${OFFSET_FETCH_VERSION} (Kafka 2.1 or later)`, { retriable: false, context: { groupId } });
    }
    const body = encodeOffsetFetchRequest(groupId, partitions, { version, requireStable: stable });
    const answer = await sendRawRequest(coordinator, { apiKey: OFFSET_FETCH_API_KEY, apiVersion: version, apiName: 'OffsetFetch', body, decode: (b) => decodeOffsetFetchResponse(b, version), flexible: stable });
    const errorCode = [answer.errorCode, ...answer.partitions.map((p) => p.errorCode)].find((c) => c !== 0 && c !== UNSTABLE_OFFSET_COMMIT) ?? 0;
    if (errorCode !== 0) throw kafkaProtocolError(errorCode);
    return answer;
  });
}
