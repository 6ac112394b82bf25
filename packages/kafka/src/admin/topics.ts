import type { Admin, ITopicConfig } from 'kafkajs';
import { InvalidArgumentError, TributaryError, ErrorCodes } from '@tributary/core';

/** A topic Tributary should make sure exists. */
export interface TopicSpec {
  topic: string;
  /** Default 3. */
  partitions?: number;
  /** Default: 3 when the cluster has three or more brokers, else 1 ("replication as the cluster allows"). */
  replicationFactor?: number;
  /** Topic configs, such as `{ 'cleanup.policy': 'compact' }`. On a cluster, `min.insync.replicas` defaults to 2. */
  configs?: Readonly<Record<string, string>>;
}

/** What `ensureTopics` did for each topic. */
export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/**
 * Make sure topics exist, since the kafka plugin never relies on broker-side auto-creation. Missing topics
 * are created with the given partitions, replication and configs, then awaited until every partition has a
 * leader. An existing topic with fewer partitions than asked is an error (Kafka cannot shrink or silently
 * re-key a topic, and a mismatch would change which partition a key lands in).
 */
export async function ensureTopicsWith(admin: Admin, specs: readonly TopicSpec[], timeoutMs = 30_000): Promise<EnsureTopicsResult> {
  for (const spec of specs) validate(spec);
  const brokers = (await admin.describeCluster()).brokers.length;
  const existingTopics = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existingTopics.has(s.topic));
  const existing = specs.filter((s) => existingTopics.has(s.topic));
  if (existing.length > 0) {
    const meta = await topicMetadata(admin, existing.map((s) => s.topic), timeoutMs);
    for (const spec of existing) {
      const have = meta.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
      if (spec.partitions !== undefined && have < spec.partitions) {
        throw new InvalidArgumentError(`Topic "${spec.topic}" exists with ${have} partitions, fewer than the ${spec.partitions} asked for`, { topic: spec.topic, partitions: have, expected: spec.partitions });
      }
    }
  }
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((s) => toTopicConfig(s, brokers));
    try {
      await admin.createTopics({ topics, waitForLeaders: false });
    } catch (cause) {
      throw new TributaryError(ErrorCodes.CONNECTION, `Could not create topics ${missing.map((s) => s.topic).join(', ')}: ${(cause as Error).message}`, { cause, retriable: true, context: { topics: missing.map((s) => s.topic) } });
    }
    await waitForTopicLeaders(admin, missing.map((s) => s.topic), timeoutMs);
  }
  return { created: missing.map((s) => s.topic), existing: existing.map((s) => s.topic) };
}

/**
 * The metadata of topics that exist. A topic created a moment ago (by another client, or another process of the
 * same service) is listed before every broker hosts it: a broker that has not caught up answers "does not host
 * this topic-partition", which is retriable, so it is asked again until `timeoutMs`.
 */
async function topicMetadata(admin: Admin, topics: string[], timeoutMs: number): ReturnType<Admin['fetchTopicMetadata']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await admin.fetchTopicMetadata({ topics });
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable !== true || Date.now() >= deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function toTopicConfig(spec: TopicSpec, brokers: number): ITopicConfig {
  const replicationFactor = spec.replicationFactor ?? (brokers >= 3 ? 3 : 1);
  const configs = { ...(replicationFactor >= 3 ? { 'min.insync.replicas': '2' } : {}), ...spec.configs };
  return {
    topic: spec.topic,
    numPartitions: spec.partitions ?? 3,
    replicationFactor,
    configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
  };
}

function validate(spec: TopicSpec): void {
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(spec.topic) || spec.topic === '.' || spec.topic === '..') {
    throw new InvalidArgumentError(`Invalid topic name ${JSON.stringify(spec.topic)}: expected 1-249 characters of letters, digits, '.', '_' and '-'`, { topic: spec.topic });
  }
  for (const key of ['partitions', 'replicationFactor'] as const) {
    const value = spec[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new InvalidArgumentError(`Topic "${spec.topic}": ${key} must be a positive integer, got ${String(value)}`, { topic: spec.topic, option: key, value });
    }
  }
}

/**
 * Wait until every partition of `topics` has a leader. Right after a topic is created some brokers answer
 * "does not host this topic-partition" for a moment: that is retried until the deadline.
 * @throws TributaryError TIMEOUT naming the topics.
 */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      // Right after creation some brokers do not host the partition yet.
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new TributaryError(ErrorCodes.TIMEOUT, `Topics ${topics.join(', ')} had no leader for every partition after ${timeoutMs} ms`, { cause: last, retriable: true, context: { topics } });
}
