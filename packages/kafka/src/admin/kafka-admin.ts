import type { Admin } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { KafkaClient } from '../connection/kafka-client.js';
import { asTributaryError } from '../errors.js';
import { createInternalCluster } from '../internal/kafkajs-internals.js';
import { kKafkajs } from '../internal/symbols.js';
import { GroupCoordinators } from './group-coordinators.js';
import { readGroupCommits, setEmptyGroupOffsets, type GroupCommit, type ReadGroupCommitsOptions } from './group-offsets.js';
import { groupLag, type PartitionLag } from './lag.js';
import type { OffsetLookup, PartitionRange } from './offset-lookup.js';
import type { TopicPartition } from './topic-partition.js';
import { ensureTopicsWith, type EnsureTopicsResult, type TopicSpec } from './topics.js';

/** The brokers of a cluster and its active controller (null when none is known yet). */
export interface ClusterDescription {
  readonly brokers: ReadonlyArray<{ nodeId: number; host: string; port: number }>;
  readonly controller: number | null;
}

/** One partition of a topic as the cluster's metadata shows it. */
export interface PartitionDescription {
  readonly partition: number;
  /** The leader's node id; -1 while there is none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** What the broker says of a consumer group. */
export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's group state: `Empty`, `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Dead`. */
  readonly state: string;
  /** Member ids with their client ids and hosts. */
  readonly members: ReadonlyArray<{ memberId: string; clientId: string; host: string }>;
}

/** A group of the cluster as {@link KafkaAdmin.listGroups} lists it. */
export interface GroupListing {
  readonly groupId: string;
  /** Kafka's group state (see {@link GroupDescription.state}); `Dead` for a group removed while it was listed. */
  readonly state: string;
  /** `consumer` for consumer groups (Tributary's among them), `connect` and others for other clients' groups. */
  readonly protocolType: string;
  /** How many members the group has now. */
  readonly members: number;
}

/**
 * Topics, offsets and groups of a cluster: what Tributary's components ask besides reading and writing records.
 * Connects on first use; every failure is a TributaryError (CONNECTION, retriable when the client says so;
 * AUTHORIZATION when access is refused).
 */
export class KafkaAdmin implements OffsetLookup, AsyncDisposable {
  readonly #admin: Admin;
  /** The group calls' own cluster and coordinators, kept until close (group-coordinators.ts). */
  readonly #coordinators: GroupCoordinators;
  #connected: Promise<void> | undefined;

  constructor(client: KafkaClient) {
    this.#admin = client[kKafkajs].admin();
    this.#coordinators = new GroupCoordinators(() => createInternalCluster(client[kKafkajs]));
  }

  /** Connect now rather than at first use (to fail early). */
  async connect(): Promise<void> {
    try {
      await (this.#connected ??= this.#admin.connect());
    } catch (error) {
      this.#connected = undefined;
      throw asTributaryError(error, 'Connecting to Kafka');
    }
  }

  /** Close the admin's connections, the group calls' included. A later call connects again. */
  async close(): Promise<void> {
    await this.#coordinators.close();
    if (this.#connected === undefined) return;
    this.#connected = undefined;
    await this.#admin.disconnect();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async listTopics(): Promise<string[]> {
    return this.#call('Listing topics', (a) => a.listTopics());
  }

  /**
   * Make sure topics exist (Tributary never relies on auto-creation): missing ones are created and awaited until
   * every partition has a leader.
   * @throws InvalidArgumentError for a bad spec, or an existing topic with fewer partitions than asked.
   */
  async ensureTopics(specs: readonly TopicSpec[], timeoutMs = 30_000): Promise<EnsureTopicsResult> {
    await this.connect();
    return ensureTopicsWith(this.#admin, specs, timeoutMs);
  }

  /** How many partitions `topic` has; 0 when it does not exist. */
  async partitionCount(topic: string): Promise<number> {
    try {
      return (await this.describeTopic(topic)).length;
    } catch (error) {
      if (/UNKNOWN_TOPIC_OR_PARTITION|does not host this topic-partition/i.test(String((error as { cause?: { type?: string; message?: string } }).cause?.type ?? (error as Error).message))) return 0;
      throw error;
    }
  }

  /** The brokers the cluster has now, and its controller. */
  async describeCluster(): Promise<ClusterDescription> {
    const c = await this.#call('Describing the cluster', (a) => a.describeCluster());
    return { brokers: c.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })), controller: c.controller };
  }

  /** Every partition of `topic` with its leader and replicas, from fresh metadata. */
  async describeTopic(topic: string): Promise<PartitionDescription[]> {
    const meta = await this.#call(`Reading the metadata of "${topic}"`, (a) => a.fetchTopicMetadata({ topics: [topic] }));
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr] })).sort((a, b) => a.partition - b.partition);
  }

  /** The topic's configuration entries by name (those asked for, or all). */
  async topicConfig(topic: string, names?: readonly string[]): Promise<Record<string, string>> {
    // 2 is the TOPIC resource type of Kafka's DescribeConfigs.
    const described = await this.#call(`Describing the configuration of "${topic}"`, (a) => a.describeConfigs({ resources: [{ type: 2, name: topic, ...(names ? { configNames: [...names] } : {}) }], includeSynonyms: false }));
    const entries = described.resources[0]?.configEntries ?? [];
    return Object.fromEntries(entries.filter((e) => e.configValue !== null).map((e) => [e.configName, e.configValue]));
  }

  /** Every partition of `topic` with its range (first offset held, high watermark). */
  async ranges(topic: string): Promise<PartitionRange[]> {
    return this.#call(`Reading the offsets of "${topic}"`, async (a) => (await a.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) })));
  }

  /**
   * Remove the records before `offset` of each partition given, as retention would (Kafka's DeleteRecords): the
   * partition's first kept offset moves up to `offset`. For operators and for tests of what readers do when
   * history is gone.
   * @throws TributaryError when the broker refuses (an offset past the high watermark, say).
   */
  async deleteRecordsBefore(topic: string, partitions: ReadonlyArray<{ partition: number; offset: bigint }>): Promise<void> {
    await this.#call(`Deleting records of "${topic}"`, (a) => a.deleteTopicRecords({ topic, partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset.toString() })) }));
  }

  /** Per partition, the first offset whose record timestamp is at or after `millis` (the high watermark when none is). */
  async offsetsForTime(topic: string, millis: number): Promise<Array<{ partition: number; offset: bigint }>> {
    // kafkajs answers the high watermark itself for a partition with no record at or after the time.
    return this.#call(`Looking up offsets of "${topic}" by time`, async (a) => (await a.fetchTopicOffsetsByTimestamp(topic, millis)).map((p) => ({ partition: p.partition, offset: BigInt(p.offset) })));
  }

  /** The group's committed offsets (the next offset to read) by partition key; partitions without a commit are absent. */
  async groupOffsets(groupId: string, topics: readonly string[]): Promise<Map<string, bigint>> {
    // Through the coordinator lookup that waits while the group's coordinator moves or loads (a broker just
    // started), as every group call of this layer; kafkajs' fetchOffsets gives up on NOT_COORDINATOR at once.
    const partitions: TopicPartition[] = [];
    for (const topic of topics) for (let partition = 0, n = await this.partitionCount(topic); partition < n; partition++) partitions.push({ topic, partition });
    const commits = await this.groupCommits(groupId, partitions);
    return new Map([...commits].map(([key, commit]) => [key, commit.offset]));
  }

  /**
   * The group's commits of these partitions with the leader epoch each was committed with (KIP-320: the epoch of
   * the last record consumed before it, -1 when the committer sent none), by partition key; partitions without a
   * commit are absent. A member starting from a commit gives the epoch to its reader, which then checks the
   * position against the leader's log. With `requireStable`, waits for offsets an open transaction holds.
   * @throws TributaryError TIMEOUT (retriable) when a transaction holds them past `stableDeadlineMs`.
   */
  async groupCommits(groupId: string, partitions: readonly TopicPartition[], options: ReadGroupCommitsOptions = {}): Promise<Map<string, GroupCommit>> {
    await this.connect();
    try {
      return await readGroupCommits(this.#coordinators, groupId, partitions, options);
    } catch (error) {
      throw asTributaryError(error, `Reading the commits of group "${groupId}"`, { groupId });
    }
  }

  /**
   * Set a group's commits while it has no active member, atomically with that check (as Java's
   * `alterConsumerGroupOffsets`). Resolves false, having changed nothing, when the group has members.
   */
  async setEmptyGroupOffsets(groupId: string, offsets: ReadonlyArray<TopicPartition & { offset: bigint }>): Promise<boolean> {
    await this.connect();
    try {
      return await setEmptyGroupOffsets(this.#coordinators, groupId, offsets);
    } catch (error) {
      throw asTributaryError(error, `Setting the commits of group "${groupId}"`, { groupId });
    }
  }

  /** Per-partition lag of a group: high watermark minus its commit (minus the log start without one). */
  async lag(groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
    // The ranges name the partitions too: the commits are read for them, with no partition lookup of their own.
    const ranges = await Promise.all(topics.map(async (topic) => ({ topic, ranges: await this.ranges(topic) })));
    const commits = await this.groupCommits(groupId, ranges.flatMap((t) => t.ranges.map((r) => ({ topic: t.topic, partition: r.partition }))));
    return groupLag(new Map([...commits].map(([key, commit]) => [key, commit.offset])), ranges);
  }

  /** The group's state and members. */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const { groups } = await this.#call(`Describing group "${groupId}"`, (a) => a.describeGroups([groupId]));
    const g = groups[0];
    if (!g) throw new TributaryError(ErrorCodes.CONNECTION, `The broker did not describe group "${groupId}"`, { retriable: true, context: { groupId } });
    return { groupId, state: g.state, members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost })) };
  }

  /**
   * Every group of the cluster (each broker's ListGroups, which names a group and its protocol type), with its
   * state and member count from one DescribeGroups per coordinator; sorted by group id.
   */
  async listGroups(): Promise<GroupListing[]> {
    return this.#call('Listing groups', async (a) => {
      const { groups } = await a.listGroups();
      // A group held by two brokers' listings during a coordinator move is listed once.
      const types = new Map(groups.map((g) => [g.groupId, g.protocolType]));
      if (types.size === 0) return [];
      const described = new Map((await a.describeGroups([...types.keys()])).groups.map((g) => [g.groupId, g]));
      return [...types]
        .map(([groupId, protocolType]) => {
          const g = described.get(groupId);
          return { groupId, state: g?.state ?? 'Dead', protocolType: g?.protocolType || protocolType, members: g?.members.length ?? 0 };
        })
        .sort((x, y) => (x.groupId < y.groupId ? -1 : x.groupId > y.groupId ? 1 : 0));
    });
  }

  async #call<T>(what: string, call: (admin: Admin) => Promise<T>): Promise<T> {
    await this.connect();
    try {
      return await call(this.#admin);
    } catch (error) {
      throw asTributaryError(error, what);
    }
  }
}
