/**
 * The one module that reaches into kafkajs' internals. kafkajs' public API has no fetch without a consumer
 * group, no group-offset write without a member, and no produce whose attempts can be told apart (its producer
 * retries inside and keeps only the last error); its internal Cluster and Broker have all three, on the same
 * connections (TLS, SASL, correlation) the public clients use. Only the shapes named below are relied on; they
 * are checked once per client, before first use, against the installed kafkajs, and a mismatch fails with an
 * UNSUPPORTED error naming what is missing (test/internal/kafkajs-internals.test.ts pins each of them).
 */
import { createRequire } from 'node:module';
import type { Kafka, Message } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';

/** The kafkajs versions whose internals this module was written against (kafkajs is unmaintained since 2.2.4). */
export const SUPPORTED_KAFKAJS = /^2\.2\.\d+$/;

/** What a request on a broker's connection pool looks like (kafkajs' protocol request/response pair). */
export interface RawRequest<T> {
  request: { apiKey: number; apiVersion: number; apiName: string; encode(): { buf: Buffer; buffer: Buffer } | Promise<{ buf: Buffer; buffer: Buffer }> };
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
  requestTimeout?: number;
}

/** A Produce request as kafkajs' Broker encodes it (record batches with the producer id, epoch and sequence). */
export interface InternalProduceRequest {
  acks: number;
  timeout: number;
  compression: number;
  /** -1 (and epoch 0, sequence 0) for a producer that is not idempotent, as kafkajs sends it. */
  producerId: string;
  producerEpoch: number;
  topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: Message[] }> }>;
}

/** A Produce answer; kafkajs throws its protocol error for the first partition with an error code instead. */
export interface InternalProduceResponse {
  topics: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; baseOffset: string }> }>;
}

/** A broker as kafkajs' internal Cluster hands it out. */
export interface InternalBroker {
  /** The API versions the broker announced (`apiKey -> range`). */
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send<T>(request: RawRequest<T>): Promise<T> };
  offsetCommit(request: { groupId: string; groupGenerationId: number; memberId: string; topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> }): Promise<unknown>;
  /** Resolves undefined when acks is 0 (no answer is awaited). */
  produce(request: InternalProduceRequest): Promise<InternalProduceResponse | undefined>;
  initProducerId(request: { transactionTimeout: number }): Promise<{ producerId: string; producerEpoch: number }>;
}

/** kafkajs' internal Cluster: metadata, leaders, coordinators and brokers. */
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<InternalBroker>;
  findGroupCoordinator(query: { groupId: string }): Promise<InternalBroker>;
  /** Any live broker, as the metadata names a controller (KRaft names a random broker): where InitProducerId goes. */
  findControllerBroker(): Promise<InternalBroker>;
}

const CREATE_CLUSTER = 'private:Kafka:createCluster';
const CLUSTER_METHODS = ['connect', 'disconnect', 'addMultipleTargetTopics', 'refreshMetadata', 'findLeaderForPartitions', 'findBroker', 'findGroupCoordinator', 'findControllerBroker'] as const;

let checkedVersion: string | undefined;

function unsupported(what: string, context: Record<string, unknown> = {}): TributaryError {
  return new TributaryError(ErrorCodes.UNSUPPORTED, `The installed kafkajs does not have what Tributary relies on: ${what}. Install kafkajs 2.2.x (the version @tributary/kafka depends on).`, {
    context: { kafkajsVersion: installedKafkajsVersion(), ...context },
  });
}

/** The version of the kafkajs package this module resolves. */
export function installedKafkajsVersion(): string {
  if (checkedVersion === undefined) {
    const require = createRequire(import.meta.url);
    checkedVersion = String((require('kafkajs/package.json') as { version?: unknown }).version ?? 'unknown');
  }
  return checkedVersion;
}

/**
 * Check the installed kafkajs: its version, and the internal factory and Cluster methods used here.
 * @throws TributaryError UNSUPPORTED naming the version or the missing shape.
 */
export function checkKafkajs(kafka: Kafka): void {
  const version = installedKafkajsVersion();
  if (!SUPPORTED_KAFKAJS.test(version)) throw unsupported(`version ${version} is not 2.2.x`);
  const cluster = createInternalCluster(kafka);
  const missing = CLUSTER_METHODS.filter((m) => typeof (cluster as unknown as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) throw unsupported(`its internal Cluster lacks ${missing.join(', ')}`, { missing });
}

/**
 * A new internal Cluster of `kafka`, with its own connections (so a reader's long fetches never queue behind
 * the group's or the producer's requests). Topics are never auto-created by its metadata requests.
 * @throws TributaryError UNSUPPORTED when kafkajs has no such factory.
 */
export function createInternalCluster(kafka: Kafka): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const create = symbol ? (kafka as unknown as Record<symbol, ((o: object) => InternalCluster) | undefined>)[symbol] : undefined;
  if (typeof create !== 'function') throw unsupported(`the Kafka client has no "${CREATE_CLUSTER}" factory`);
  return create.call(kafka, { allowAutoTopicCreation: false, maxInFlightRequests: null });
}
