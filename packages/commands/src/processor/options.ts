import type { Registry } from 'prom-client';
import { InvalidArgumentError, quote } from '@tributary/core';
import type { ConsumerGroupOptions, RetryOptions } from '@tributary/consumer';
import { isLogger, KafkaClient, stderrLogger, type KafkaClientOptions, type Logger } from '@tributary/kafka';
import type { DedupeStore } from '../dedupe/dedupe-store.js';
import type { MessageRegistry } from '../message/message-registry.js';

/** Options of a {@link CommandProcessor}. */
export interface CommandProcessorOptions {
  /** Connection options of the Kafka layer, or a client already made. */
  connection: KafkaClient | KafkaClientOptions;
  /** The consumer group of the processors. */
  groupId: string;
  /** The commands topic (its `<topic>.DLT` must exist for failed messages). */
  topic: string;
  /** The message classes. Default: a registry with the built-ins `echo`, `chain`, `fail`. */
  registry?: MessageRegistry;
  /**
   * Keeps a redelivered message from running twice: `'memory'` (this process), `'kafka'` (a compacted
   * `<topic>.dedupe` topic every processor of the group reads), a store of your own, or false. Default `'kafka'`.
   */
  dedupe?: 'memory' | 'kafka' | false | DedupeStore;
  /**
   * Exactly-once read-process-write: follow-ups, the dedupe mark and the offset commit in one Kafka
   * transaction. `transactionalId` must be stable for one worker across its restarts and unique to it. Default off:
   * then follow-ups are published (acknowledged) before the commit, and a crash between the two publishes them
   * again, under the same ids, when the message is redelivered.
   */
  transactions?: { transactionalId: string; transactionTimeoutMs?: number } | false;
  /** Attempts of a failing message before it is dead-lettered with its reason. Default 3 attempts. */
  retry?: RetryOptions;
  /** Where a group without commits starts. Default: the earliest offset. */
  from?: ConsumerGroupOptions['from'];
  /** Further consumer group options (session timeout, concurrency...). */
  group?: Partial<Omit<ConsumerGroupOptions, 'groupId' | 'topics' | 'handlers' | 'client' | 'retry' | 'logger' | 'metrics' | 'from'>>;
  logger?: Logger;
  metrics?: { registry: Registry };
}

export interface ResolvedProcessorOptions extends Omit<CommandProcessorOptions, 'connection' | 'logger'> {
  readonly client: KafkaClient;
  readonly logger: Logger;
}

/** @throws InvalidArgumentError naming the option. */
export function resolveProcessorOptions(o: CommandProcessorOptions): ResolvedProcessorOptions {
  const fail = (option: string, expected: string, value: unknown): never => {
    throw new InvalidArgumentError(`Command processor option ${option} is ${quote(value)}; expected ${expected}`, { option, value, expected });
  };
  if (typeof o !== 'object' || o === null) fail('options', 'an object', o);
  if (typeof o.connection !== 'object' || o.connection === null) fail('connection', 'Kafka connection options ({ brokers }) or a KafkaClient', o.connection);
  if (typeof o.groupId !== 'string' || o.groupId === '') fail('groupId', 'a non-empty string', o.groupId);
  if (typeof o.topic !== 'string' || o.topic === '') fail('topic', 'a topic name', o.topic);
  const d = o.dedupe;
  if (d !== undefined && d !== false && d !== 'memory' && d !== 'kafka' && (typeof d !== 'object' || typeof d.has !== 'function' || typeof d.add !== 'function')) fail('dedupe', "'memory', 'kafka', false or a DedupeStore", d);
  if (o.transactions && (typeof o.transactions.transactionalId !== 'string' || o.transactions.transactionalId === '')) fail('transactions.transactionalId', 'a non-empty string, stable for one worker', o.transactions.transactionalId);
  if (o.logger !== undefined && !isLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  const logger = o.logger ?? stderrLogger;
  const client = KafkaClient.from(o.connection, { clientId: 'tributary-commands', optionPath: 'connection', logger });
  return { ...o, client, logger };
}
