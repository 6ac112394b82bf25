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

/** kafkajs errors on a heartbeat or commit that mean the group is rebalancing or this member is out of it. */
const REBALANCE_ERRORS = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

/** The kafkajs error type when `error` means a rebalance (see REBALANCE_ERRORS); undefined otherwise. */
export function rebalanceErrorType(error: unknown): string | undefined {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type) ? type : undefined;
}
