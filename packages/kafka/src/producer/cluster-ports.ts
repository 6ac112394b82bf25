import type { Kafka } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { leafErrors } from '../errors.js';
import { brokerSupports, createInternalCluster, kafkaProtocolError, sendRawRequest, type InternalBroker, type InternalCluster } from '../internal/kafkajs-internals.js';
import { decodeProduceResponse, encodeProduceRequest, PRODUCE_API_KEY, PRODUCE_VERSIONS, type ProducePartitionResponse, type ProduceRequest, type ProduceVersion } from '../protocol/produce-protocol.js';
import { BrokerRequests } from './broker-request.js';
import type { PartitionLeader, ProducePorts } from './partition-request.js';
import { ProducerSession } from './producer-session.js';

/** kafkajs' own transaction timeout for an idempotent producer; the broker ignores it without a transactional id. */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Partition leaders and producer ids from kafkajs' internal Cluster, on connections of the writer's own. Produce
 * requests are Tributary's (src/protocol/produce-protocol.ts, carrying the batch the writer encoded), sent on
 * kafkajs' Broker connections, never through its producer, whose retry loop would resend under the same sequence
 * numbers and hide each attempt's error. The partitions a broker leads share one request per turn of the event
 * loop (see {@link BrokerRequests}), each with its own answer.
 */
export class ClusterProducePorts implements ProducePorts {
  readonly #cluster: InternalCluster;
  readonly #topics = new Set<string>();
  readonly #requests = new WeakMap<InternalBroker, BrokerRequests>();
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
    // Checked before anything is sent: a broker too old for these versions refuses every attempt the same way.
    const version = produceVersion(broker);
    let requests = this.#requests.get(broker);
    if (!requests) this.#requests.set(broker, (requests = new BrokerRequests((request) => produce(broker, version, request))));
    const shared = requests;
    return {
      produce: async (r) => {
        const answer = await shared.produce({ topic: r.topic, partition: r.partition, records: r.batch }, r.acks, r.timeoutMs);
        if (answer === undefined) return -1n;
        if (answer.errorCode !== 0) throw refusal(answer);
        return answer.baseOffset;
      },
    };
  }
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

/** One Produce request to the broker; its per-partition answers, or undefined with acks 0. */
async function produce(broker: InternalBroker, version: ProduceVersion, request: ProduceRequest): Promise<ProducePartitionResponse[] | undefined> {
  const response = await sendRawRequest(broker, {
    apiKey: PRODUCE_API_KEY,
    apiVersion: version,
    apiName: 'Produce',
    body: encodeProduceRequest(request),
    decode: (payload) => decodeProduceResponse(payload, version),
    expectResponse: request.acks !== 0,
  });
  return response?.partitions;
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
