import { KafkaClient, type KafkaClientOptions } from '../connection/kafka-client.js';
import { KafkaAdmin } from './kafka-admin.js';
import type { EnsureTopicsResult, TopicSpec } from './topics.js';

/**
 * The configs of a compacted topic that holds the latest record per key (sessions, stream headers): compacted,
 * with tombstones kept a day so a reader starting late still sees a key go, and segments rolled hourly with a
 * low dirty ratio so the cleaner actually runs on small, busy topics (it never compacts the active segment).
 */
export const COMPACTED_TOPIC_CONFIGS: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'compact',
  'delete.retention.ms': String(24 * 3600_000),
  'segment.ms': String(3600_000),
  'min.cleanable.dirty.ratio': '0.1',
});

/**
 * Make sure topics exist (see {@link KafkaAdmin.ensureTopics}), from connection options or a client: the
 * one-call form for set-up scripts, such as creating a consumer's `<topic>.DLT` next to its topic.
 */
export async function ensureTopics(connection: KafkaClient | KafkaClientOptions, specs: readonly TopicSpec[], timeoutMs = 30_000): Promise<EnsureTopicsResult> {
  await using admin = new KafkaAdmin(KafkaClient.from(connection, { clientId: 'tributary-admin' }));
  // Awaited here: returning the bare promise would dispose of the admin while the call is in flight, and kafkajs
  // would then reconnect behind the closed admin and hold the process open.
  return await admin.ensureTopics(specs, timeoutMs);
}
