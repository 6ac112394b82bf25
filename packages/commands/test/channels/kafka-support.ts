import { randomTopic } from '@tributary/test-kit';
import { silentLogger } from '@tributary/kafka';
import { ensureMessagingTopics } from '@tributary/messaging';
import { createChannelLayer, type ChannelLayer } from '../../src/channels/channel-layer.js';
import type { ChannelLayerOptions } from '../../src/channels/options.js';
import { ensureChannelTopics } from '../../src/channels/topics.js';

/** Fresh messaging and channel topics of the test's own. */
export async function freshTopics(brokers: string[]): Promise<{ messagingPrefix: string; prefix: string }> {
  const messagingPrefix = randomTopic('msg');
  const prefix = randomTopic('chan');
  await ensureMessagingTopics({ brokers }, { prefix: messagingPrefix, inboxPartitions: 4 });
  await ensureChannelTopics({ brokers }, { prefix, groupPartitions: 2, groupExpirySeconds: 3600 });
  return { messagingPrefix, prefix };
}

/** Channel layers on the broker, each with a hub of its own as a process has; `close()` closes every one made. */
export function kafkaLayers(brokers: string[], topics: { messagingPrefix: string; prefix: string }) {
  const made: ChannelLayer[] = [];
  return {
    layer(options: Partial<ChannelLayerOptions> = {}): ChannelLayer {
      const layer = createChannelLayer({
        connection: { brokers, logger: silentLogger },
        prefix: topics.prefix,
        logger: silentLogger,
        messaging: { prefix: topics.messagingPrefix, heartbeatMs: 500, sessionTimeoutMs: 3000 },
        ...options,
      });
      made.push(layer);
      return layer;
    },
    async close(): Promise<void> {
      await Promise.all(made.splice(0).map((l) => l.close()));
    },
  };
}
