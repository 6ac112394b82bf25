import { randomTopic } from '@tributary/test-kit';
import { createMessaging, ensureMessagingTopics, type Messaging, type MessagingOptions } from '@tributary/messaging';
import { silentLogger } from '@tributary/kafka';

/** Fresh messaging topics under a prefix of the test's own. */
export async function freshPrefix(brokers: string[], inboxPartitions = 4): Promise<string> {
  const prefix = randomTopic('msg');
  await ensureMessagingTopics({ brokers }, { prefix, inboxPartitions });
  return prefix;
}

/** A hub on the test's topics, quiet, with short heartbeats so expiry tests stay short. */
export function hub(brokers: string[], prefix: string, options: Partial<MessagingOptions> = {}): Messaging {
  return createMessaging({ connection: { brokers, logger: silentLogger }, prefix, logger: silentLogger, heartbeatMs: 500, sessionTimeoutMs: 3000, ...options });
}
