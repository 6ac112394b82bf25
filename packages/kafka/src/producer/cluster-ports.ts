import type { Kafka } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { leafErrors } from '../errors.js';
import { messageOf } from '../logging/logger.js';
import { brokerSupports, createInternalCluster, kafkaProtocolError, sendRawRequest, type InternalBroker, type InternalCluster } from '../internal/kafkajs-internals.js';
import { decodeProduceResponse, encodeProduceRequest, PRODUCE_API_KEY, PRODUCE_VERSIONS, type ProducePartitionResponse, type ProduceRequest, type ProduceVersion } from '../protocol/produce-protocol.js';
import type { PartitionLookup } from '../admin/topic-wait.js';
import type { MetadataResponse } from '../protocol/metadata-protocol.js';
import { sendMetadata } from '../reader/broker-requests.js';
import type { ProducerIdentity } from './partition-state.js';
import type { PartitionAnswer, SenderPorts } from './sender.js';

/** kafkajs' own transaction timeout for an idempotent producer; the broker ignores it without a transactional id. */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Partition leaders and producer ids from kafkajs' internal Cluster, on connections of the writer's own. Produce
 * requests are Tributary's (src/protocol/produce-protocol.ts, carrying the batches the writer encoded), sent on
 * kafkajs' Broker connections, never through its producer, whose retry loop would resend under the same sequence
 * numbers and hide each attempt's error.
 */
export class ClusterProducePorts implements SenderPorts {
  readonly #cluster: InternalCluster;
  readonly #topics = new Set<string>();
  readonly #lastLookups = new Map<string, string>();
  readonly #brokers = new Map<number, { broker: InternalBroker; version: ProduceVersion }>();
  readonly #topicConfig: (topic: string, names: readonly string[]) => Promise<Record<string, string>>;
  #connected = false;

  /** `topicConfig` reads a topic's configuration entries (KafkaAdmin.topicConfig). */
  constructor(kafka: Kafka, topicConfig: (topic: string, names: readonly string[]) => Promise<Record<string, string>>) {
    this.#cluster = createInternalCluster(kafka);
    this.#topicConfig = topicConfig;
  }

  async connect(): Promise<void> {
    if (this.#connected) return;
    await this.#cluster.connect();
    this.#connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.#cluster.disconnect();
  }

  /**
   * A producer id and epoch from InitProducerId (sequences start at 0). Retriable failures once connected (a broker
   * still loading its producer id block answers COORDINATOR_LOAD_IN_PROGRESS, the broker asked may have just died)
   * are tried again for up to `timeoutMs`.
   */
  async initProducerId(timeoutMs: number): Promise<ProducerIdentity> {
    // Reaching no broker at all is the connection's failure (its own retries are spent): not retried here.
    await this.connect();
    const deadline = Date.now() + timeoutMs;
    for (let retry = 0; ; retry++) {
      try {
        await this.#cluster.refreshMetadata();
        const broker = await this.#cluster.findControllerBroker();
        const { producerId, producerEpoch } = await broker.initProducerId({ transactionTimeout: TRANSACTION_TIMEOUT_MS });
        return { producerId: BigInt(producerId), producerEpoch };
      } catch (error) {
        const wait = Math.min(1000, 100 * 2 ** retry);
        if (!leafErrors(error).every((leaf) => leaf.retriable === true) || Date.now() + wait > deadline) throw error;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  newProducerId(): Promise<ProducerIdentity> {
    return this.initProducerId(30_000);
  }

  /**
   * How many partitions `topic` has (0 when no broker that answered knows it), and whether every broker asked
   * answered.
   *
   * Each broker answers from its own copy of the cluster's metadata, and one that has just restarted answers
   * UNKNOWN_TOPIC_OR_PARTITION for topics created while it was down until it has caught up: one broker's "unknown"
   * is not the cluster's. So a broker is asked first (kafkajs' choice of a live one), and when it knows nothing of
   * the topic, every broker it names is asked; the most partitions any of them knows is the count (a topic's
   * partitions only grow). A broker that cannot be reached counts as knowing nothing, and makes a "none"
   * inconclusive: right after a broker died, the others were seen to answer UNKNOWN_TOPIC_OR_PARTITION for a
   * topic they held in sync, for a second or more.
   * @throws the topic's error when the first broker refuses it otherwise (not authorized, an invalid name).
   */
  async partitionCount(topic: string): Promise<PartitionLookup> {
    await this.connect();
    const broker = await this.#anyBroker();
    const first = topicIn(await sendMetadata(broker, [topic]), topic);
    if (first.count > 0) return { count: first.count, everyBrokerAnswered: true };
    const brokers = first.brokers;
    const answers = await Promise.allSettled(brokers.map(async ({ nodeId }) => topicIn(await sendMetadata(await this.#cluster.findBroker({ nodeId: String(nodeId) }), [topic]), topic)));
    const said = answers.map((a, i) => `node ${brokers[i]!.nodeId}: ${a.status === 'rejected' ? messageOf(a.reason) : a.value.said}`);
    this.#lastLookups.set(topic, [`node ${broker.nodeId ?? '?'} (asked first): ${first.said}`, ...said].join('; '));
    return {
      count: Math.max(0, ...answers.map((answer) => (answer.status === 'fulfilled' ? answer.value.count : 0))),
      everyBrokerAnswered: answers.every((answer) => answer.status === 'fulfilled'),
    };
  }

  /** What the brokers answered to the last lookup of `topic` that found no partitions: for the error that says it is missing. */
  lastLookup(topic: string): string | undefined {
    return this.#lastLookups.get(topic);
  }

  /** A live broker of the cluster (its metadata read first when it has none yet: a writer without a producer id has not). */
  async #anyBroker(): Promise<InternalBroker> {
    try {
      return await this.#cluster.findControllerBroker();
    } catch (error) {
      if ((error as Error).name !== 'KafkaJSMetadataNotLoaded') throw error;
      await this.#cluster.refreshMetadata();
      return this.#cluster.findControllerBroker();
    }
  }

  /** Have the metadata follow `topic` (its partitions' leaders), read once now. */
  async addTopic(topic: string): Promise<void> {
    await this.connect();
    if (this.#topics.has(topic)) return;
    await this.#cluster.addMultipleTargetTopics([topic]);
    this.#topics.add(topic);
  }

  async messageLimit(topic: string): Promise<number | undefined> {
    const limit = Number((await this.#topicConfig(topic, ['max.message.bytes']))['max.message.bytes']);
    return Number.isSafeInteger(limit) ? limit : undefined;
  }

  leaderOf(topic: string, partition: number): number | undefined {
    try {
      const nodeId = Object.keys(this.#cluster.findLeaderForPartitions(topic, [partition]))[0];
      return nodeId === undefined ? undefined : Number(nodeId);
    } catch {
      return undefined;
    }
  }

  async refreshMetadata(): Promise<void> {
    await this.connect();
    await this.#cluster.refreshMetadata();
  }

  produce(node: number, request: ProduceRequest): Promise<ReadonlyMap<string, PartitionAnswer> | undefined> {
    const known = this.#brokers.get(node);
    // A broker whose connection is up: the request goes to it now, so requests leave in the order they were made.
    const sent = known && known.broker.isConnected?.() === true ? produce(known.broker, known.version, request) : this.#reach(node).then(({ broker, version }) => produce(broker, version, request));
    return sent.catch((error: unknown) => {
      this.#brokers.delete(node);
      throw error;
    });
  }

  /**
   * The broker, connected, with the Produce version to speak to it.
   * @throws the connection's error, marked `notSent` (nothing left for the broker), or UNSUPPORTED for a broker older than Kafka 2.1.
   */
  async #reach(node: number): Promise<{ broker: InternalBroker; version: ProduceVersion }> {
    let broker: InternalBroker;
    try {
      broker = await this.#cluster.findBroker({ nodeId: String(node) });
    } catch (error) {
      throw Object.assign(error as object, { notSent: true });
    }
    const reached = { broker, version: produceVersion(broker) };
    this.#brokers.set(node, reached);
    return reached;
  }
}

/** UNKNOWN_TOPIC_OR_PARTITION and LEADER_NOT_AVAILABLE (a topic being created): the answering broker knows no partitions yet. */
const TOPIC_NOT_YET = new Set([3, 5]);

/**
 * The topic's partitions in a Metadata answer (0 when the broker does not know it, yet), what the broker said of
 * it in words, and the brokers the answer names.
 * @throws kafkajs' error for any other error of the topic.
 */
function topicIn(answer: MetadataResponse, topic: string): { count: number; said: string; brokers: MetadataResponse['brokers'] } {
  const found = answer.topics.find((t) => t.topic === topic);
  if (found && found.errorCode !== 0 && !TOPIC_NOT_YET.has(found.errorCode)) throw kafkaProtocolError(found.errorCode);
  const count = found?.partitions.length ?? 0;
  const said = !found ? 'no such topic in its answer' : found.errorCode !== 0 ? `${kafkaProtocolError(found.errorCode).type}, ${count} partitions` : `${count} partitions`;
  return { count, said, brokers: answer.brokers };
}

/**
 * The newest Produce version both sides speak.
 * @throws TributaryError UNSUPPORTED (not retriable) for a broker older than Kafka 2.1.
 */
function produceVersion(broker: InternalBroker): ProduceVersion {
  const version = PRODUCE_VERSIONS.find((v) => brokerSupports(broker, PRODUCE_API_KEY, v));
  if (version !== undefined) return version;
  const range = broker.versions![PRODUCE_API_KEY];
  throw new TributaryError(ErrorCodes.UNSUPPORTED, `The broker accepts Produce versions ${range ? `${range.minVersion}-${range.maxVersion}` : 'none'}; Tributary writes with version 7 or 8 (Kafka 2.1 or later)`, { retriable: false });
}

/** One Produce request to the broker; each partition's answer by `topic\0partition`, or undefined with acks 0. */
async function produce(broker: InternalBroker, version: ProduceVersion, request: ProduceRequest): Promise<ReadonlyMap<string, PartitionAnswer> | undefined> {
  const response = await sendRawRequest(broker, {
    apiKey: PRODUCE_API_KEY,
    apiVersion: version,
    apiName: 'Produce',
    body: encodeProduceRequest(request),
    decode: (payload) => decodeProduceResponse(payload, version),
    expectResponse: request.acks !== 0,
  });
  if (response === undefined) return undefined;
  const answers = new Map<string, PartitionAnswer>();
  for (const p of response.partitions) answers.set(`${p.topic}\u0000${p.partition}`, p.errorCode === 0 ? { baseOffset: p.baseOffset } : { error: refusal(p) });
  return answers;
}

/**
 * kafkajs' error for the partition's error code, as its own Produce answered it (the outcome of a write is read
 * from its `type`), with the broker's own words when it gave any (Produce v8).
 */
function refusal(answer: ProducePartitionResponse): Error {
  const error = kafkaProtocolError(answer.errorCode);
  const said = [answer.errorMessage, ...answer.recordErrors.map((e) => `record ${e.batchIndex}: ${e.message ?? 'refused'}`)].filter((m): m is string => !!m);
  if (said.length > 0) (error as Error).message = `${error.message} (the broker said: ${said.join('; ')})`;
  return error;
}
