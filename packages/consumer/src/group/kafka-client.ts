import { Kafka, logLevel, type ConsumerConfig } from 'kafkajs';
import { kafkajsLogCreator, silentLogger } from '../logging/logger.js';
import type { ResolvedOptions } from './options.js';

/** The kafkajs client a group makes when it is given brokers rather than a client: its logs go to the group's logger. */
export function kafkaClient(o: ResolvedOptions): Kafka {
  return new Kafka({
    clientId: o.clientId,
    brokers: o.brokers!,
    logLevel: o.logger === silentLogger ? logLevel.NOTHING : logLevel.INFO,
    logCreator: kafkajsLogCreator(o.logger),
  });
}

/** The kafkajs consumer of a group: its timeouts, and never a topic created by reading it. */
export function consumerConfig(o: ResolvedOptions): ConsumerConfig {
  return {
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    rebalanceTimeout: o.rebalanceTimeoutMs,
    heartbeatInterval: o.heartbeatIntervalMs,
    maxWaitTimeInMs: o.fetchMaxWaitMs,
    allowAutoTopicCreation: false,
  };
}
