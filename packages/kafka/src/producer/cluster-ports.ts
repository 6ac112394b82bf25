import type { Kafka } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { leafErrors } from '../errors.js';
import { createInternalCluster, type InternalBroker, type InternalCluster } from '../internal/kafkajs-internals.js';
import type { PartitionLeader, PartitionProduce, ProducePorts } from './partition-request.js';
import { ProducerSession } from './producer-session.js';

/** kafkajs' own transaction timeout for an idempotent producer; the broker ignores it without a transactional id. */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Partition leaders and producer ids from kafkajs' internal Cluster, on connections of the writer's own. Produce
 * requests go through kafkajs' Broker (its encoder, compression codecs and connection), never through its
 * producer, whose retry loop would resend under the same sequence numbers and hide each attempt's error.
 */
export class ClusterProducePorts implements ProducePorts {
  readonly #cluster: InternalCluster;
  readonly #topics = new Set<string>();
  #connected = false;

  constructor(kafka: Kafka) {
    this.#cluster = createInternalCluster(kafka);
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
   * A new session: a fresh producer id from InitProducerId when idempotent (sequences start at 0). Retriable
   * failures once connected (a broker still loading its producer id block answers COORDINATOR_LOAD_IN_PROGRESS, the
   * broker asked may have just died) are tried again for up to `timeoutMs`.
   */
  async newSession(idempotent: boolean, timeoutMs: number): Promise<ProducerSession> {
    if (!idempotent) return ProducerSession.notIdempotent();
    // Reaching no broker at all is the connection's failure (its own retries are spent): not retried here.
    await this.connect();
    const deadline = Date.now() + timeoutMs;
    for (let retry = 0; ; retry++) {
      try {
        await this.#cluster.refreshMetadata();
        const broker = await this.#cluster.findControllerBroker();
        const { producerId, producerEpoch } = await broker.initProducerId({ transactionTimeout: TRANSACTION_TIMEOUT_MS });
        return new ProducerSession(String(producerId), producerEpoch);
      } catch (error) {
        const wait = Math.min(1000, 100 * 2 ** retry);
        if (!leafErrors(error).every((leaf) => leaf.retriable === true) || Date.now() + wait > deadline) throw error;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async leader(topic: string, partition: number, refresh: boolean): Promise<PartitionLeader> {
    await this.connect();
    if (!this.#topics.has(topic)) {
      await this.#cluster.addMultipleTargetTopics([topic]);
      this.#topics.add(topic);
    } else if (refresh) {
      await this.#cluster.refreshMetadata();
    }
    const nodeId = Object.keys(this.#cluster.findLeaderForPartitions(topic, [partition]))[0];
    if (nodeId === undefined || Number(nodeId) < 0) {
      throw new TributaryError(ErrorCodes.CONNECTION, `No leader is known for ${topic}:${partition}`, { retriable: true, context: { topic, partition } });
    }
    const broker = await this.#cluster.findBroker({ nodeId });
    return { produce: (request) => produce(broker, request) };
  }
}

async function produce(broker: InternalBroker, r: PartitionProduce): Promise<bigint> {
  const response = await broker.produce({
    acks: r.acks,
    timeout: r.timeoutMs,
    compression: r.compression,
    producerId: r.producerId,
    producerEpoch: r.producerEpoch,
    topicData: [{ topic: r.topic, partitions: [{ partition: r.partition, firstSequence: r.firstSequence, messages: [...r.messages] }] }],
  });
  if (r.acks === 0) return -1n;
  const answer = response?.topics.find((t) => t.topicName === r.topic)?.partitions.find((p) => p.partition === r.partition);
  // Sent and answered without the partition: nothing says whether it was appended.
  if (!answer) throw new TributaryError(ErrorCodes.CONNECTION, `The broker's answer left out ${r.topic}:${r.partition}`, { context: { topic: r.topic, partition: r.partition } });
  return BigInt(answer.baseOffset);
}
