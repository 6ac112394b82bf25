import { KafkaClient, type KafkaClientOptions } from '../connection/kafka-client.js';
import { KafkaAdmin } from './kafka-admin.js';
import type { EnsureTopicsResult, TopicSpec } from './topics.js';

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
