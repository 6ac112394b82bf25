import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { checkKafkajs, guardBrokerPools } from '../internal/kafkajs-internals.js';
import { kKafkajs } from '../internal/symbols.js';
import { kafkajsLogCreator } from '../logging/kafkajs-log.js';
import { silentLogger, stderrLogger, type Logger } from '../logging/logger.js';
import { resolveConnectionOptions, type KafkaConnectionOptions, type ResolvedConnectionOptions } from './options.js';

/** Options of a {@link KafkaClient}: where Kafka is, and where its logs go. */
export interface KafkaClientOptions extends KafkaConnectionOptions {
  /** Where the client's own logs go (pino fits). Default: warnings and errors to stderr. */
  logger?: Logger;
}

/** What a component making its own {@link KafkaClient} puts in where the user's options say nothing. */
export interface ClientDefaults {
  readonly clientId?: string;
  /** The option that named the connection, prefixed to option paths in errors (`connection.brokers`). */
  readonly optionPath?: string;
  /** The component's logger, for a client whose options name none. */
  readonly logger?: Logger;
}

/**
 * A connection to one Kafka cluster, made from {@link KafkaConnectionOptions}: what every Tributary component
 * that reaches Kafka builds on, so no user constructs a kafkajs client. It holds no connection itself; the
 * admin, readers, writers and group members made from it each open their own, and close with them.
 *
 * Making one checks the installed kafkajs (version and the internals the reader relies on). kafkajs' compression
 * codec registry is left as kafkajs ships it: record batches are encoded and decoded by Tributary's own code
 * (src/protocol/), with every compression Kafka has.
 * @throws InvalidArgumentError naming a wrong option; TributaryError UNSUPPORTED for an unsupported kafkajs.
 */
export class KafkaClient {
  /** The options checked, with defaults. */
  readonly options: ResolvedConnectionOptions;
  readonly logger: Logger;
  readonly #kafka: Kafka;

  /**
   * @param defaults what a component that makes its own client puts in: its clientId, the path of the option that
   * named the connection (for errors), and its logger, used when the options name none.
   */
  constructor(options: KafkaClientOptions, defaults: ClientDefaults = {}) {
    this.options = resolveConnectionOptions(options, defaults.optionPath ?? '', defaults.clientId);
    this.logger = options.logger ?? defaults.logger ?? stderrLogger;
    this.#kafka = new Kafka(kafkajsConfig(this.options, this.logger));
    checkKafkajs(this.#kafka);
    guardBrokerPools(this.#kafka);
  }

  /** Make a client from options, or take one already made (components accept either). */
  static from(options: KafkaClientOptions | KafkaClient, defaults: ClientDefaults = {}): KafkaClient {
    return options instanceof KafkaClient ? options : new KafkaClient(options, defaults);
  }

  /** The kafkajs client, for the Kafka layer's own modules only. */
  get [kKafkajs](): Kafka {
    return this.#kafka;
  }
}

function kafkajsConfig(o: ResolvedConnectionOptions, logger: Logger): KafkaConfig {
  return {
    clientId: o.clientId,
    brokers: [...o.brokers],
    ssl: o.tls === false ? false : Object.keys(o.tls).length === 0 ? true : { ...o.tls, ca: o.tls.ca as string[] | undefined },
    sasl: o.sasl as KafkaConfig['sasl'],
    connectionTimeout: o.connectionTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    retry: { retries: o.retries, initialRetryTime: 100, maxRetryTime: 5000 },
    logLevel: logger === silentLogger ? logLevel.NOTHING : logLevel.INFO,
    logCreator: kafkajsLogCreator(logger),
  };
}
