/**
 * The one module that reaches into kafkajs' internals. kafkajs' public API has no fetch without a consumer
 * group, no group-offset write without a member, and no produce whose attempts can be told apart (its producer
 * retries inside and keeps only the last error); its internal Cluster and Broker have all three, on the same
 * connections (TLS, SASL, correlation) the public clients use. Only the shapes named below are relied on; they
 * are checked once per client, before first use, against the installed kafkajs, and a mismatch fails with an
 * UNSUPPORTED error naming what is missing (test/internal/kafkajs-internals.test.ts pins each of them).
 */
import { createRequire } from 'node:module';
import type { Consumer, ConsumerConfig, Kafka, KafkaJSProtocolError, Producer, ProducerConfig } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { BodyReader } from '../protocol/wire.js';

/** The kafkajs versions whose internals this module was written against (kafkajs is unmaintained since 2.2.4). */
export const SUPPORTED_KAFKAJS = /^2\.2\.\d+$/;

/**
 * What a request on a broker's connection pool looks like (kafkajs' protocol request/response pair): the
 * connection writes the request header (api key and version, correlation id, client id) before the body that
 * `encode` gives, awaits no answer when `expectResponse` says so, and hands the answer's body (after the
 * correlation id) to `decode`, then `parse`.
 */
export interface RawRequest<T> {
  request: {
    apiKey: number;
    apiVersion: number;
    apiName: string;
    encode(): { buf: Buffer; buffer: Buffer } | Promise<{ buf: Buffer; buffer: Buffer }>;
    expectResponse?: () => boolean;
  };
  response: { decode(payload: Buffer): Promise<T>; parse(decoded: T): Promise<T> };
  requestTimeout?: number;
}

/** An OffsetCommit as kafkajs' consumer group hands it to its coordinator, with the generation and member id it keeps. */
export interface InternalOffsetCommit {
  groupId: string;
  groupGenerationId: number;
  memberId: string;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }>;
}

/** A broker as kafkajs' internal Cluster hands it out. */
export interface InternalBroker {
  /** The broker's node id, once the cluster's metadata named it (null for a seed broker before that). */
  nodeId?: number | null;
  /** The API versions the broker announced (`apiKey -> range`). */
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send<T>(request: RawRequest<T>): Promise<T> };
  /** Whether its connection is up (then a request is written to it without waiting for a connect). */
  isConnected?(): boolean;
  offsetCommit(request: InternalOffsetCommit): Promise<unknown>;
  syncGroup(request: InternalSyncGroup): Promise<unknown>;
  txnOffsetCommit(request: InternalTxnOffsetCommit): Promise<unknown>;
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
  /** `coordinatorType` 0 (default) for a consumer group, 1 for a transactional id. */
  findGroupCoordinator(query: { groupId: string; coordinatorType?: number }): Promise<InternalBroker>;
  /** Any live broker, as the metadata names a controller (KRaft names a random broker): where InitProducerId goes. */
  findControllerBroker(): Promise<InternalBroker>;
}

/** kafkajs' internal BrokerPool (a Cluster's `brokerPool`): the broker of each node id, from the last metadata. */
export interface InternalBrokerPool {
  brokers: Record<string, { nodeId?: number | null; connectionPool: { host: string; port: number } }>;
  metadata: { brokers: Array<{ nodeId: number; host: string; port: number }> } | null;
  refreshMetadata(topics: string[]): Promise<void>;
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
  const pool = (cluster as unknown as { brokerPool?: Partial<InternalBrokerPool> }).brokerPool;
  if (typeof pool?.refreshMetadata !== 'function' || typeof pool.brokers !== 'object') throw unsupported('its internal Cluster has no brokerPool with brokers and refreshMetadata');
}

/**
 * Make every cluster `kafka` creates from now on (its producers', consumers', admins' and the Kafka layer's own)
 * keep each broker under its own node id ({@link keepBrokersByNode}). Called once per client.
 */
export function guardBrokerPools(kafka: Kafka): void {
  const { symbol, create } = clusterFactory(kafka);
  const guarded: ClusterFactory = (options) => {
    const cluster = create.call(kafka, options);
    keepBrokersByNode((cluster as unknown as { brokerPool: InternalBrokerPool }).brokerPool);
    return cluster;
  };
  (kafka as unknown as Record<symbol, ClusterFactory>)[symbol] = guarded;
}

/**
 * Repair kafkajs' broker table after each metadata refresh. kafkajs 2.2 reads the seed broker's address before
 * the Metadata request and the seed itself after the answer; a connection closed meanwhile (a broker dying)
 * makes another node's broker the seed, which is then renamed to the node at the old address and filed under
 * both ids. Every Produce to a partition of the node whose broker was renamed then goes out empty, since kafkajs
 * picks the partitions for a broker by its `nodeId`, and is answered with success: the records of a transaction
 * vanished while its offsets committed. Here a broker filed under an id not its own, or under two, gets back the
 * id of the node at its address, the other id is dropped, and the metadata is read again so that node gets a broker
 * of its own.
 */
export function keepBrokersByNode(pool: InternalBrokerPool): void {
  const refresh = pool.refreshMetadata;
  pool.refreshMetadata = async function (this: InternalBrokerPool, topics: string[]) {
    await refresh.call(this, topics);
    if (!fileBrokersByAddress(this)) return;
    await refresh.call(this, topics);
    fileBrokersByAddress(this);
  };
}

/**
 * Where a broker is filed under an id other than its node id, or under two ids, give it the node id its address
 * has in the metadata and drop the ids that are not its own. True when one was dropped. A table kafkajs kept
 * straight is left as it is.
 */
function fileBrokersByAddress(pool: InternalBrokerPool): boolean {
  const filed = new Map<InternalBrokerPool['brokers'][string], string[]>();
  for (const [id, broker] of Object.entries(pool.brokers)) filed.set(broker, [...(filed.get(broker) ?? []), id]);
  const nodeAt = new Map<string, number>();
  for (const b of pool.metadata?.brokers ?? []) nodeAt.set(`${b.host}:${b.port}`, b.nodeId);
  let dropped = false;
  for (const [broker, ids] of filed) {
    if (ids.length === 1 && String(broker.nodeId) === ids[0]) continue;
    const node = nodeAt.get(`${broker.connectionPool.host}:${broker.connectionPool.port}`);
    if (node !== undefined) broker.nodeId = node;
    for (const id of ids) {
      if (String(broker.nodeId) === id) continue;
      delete pool.brokers[id];
      dropped = true;
    }
  }
  return dropped;
}

/**
 * A new internal Cluster of `kafka`, with its own connections (so a reader's long fetches never queue behind
 * the group's or the producer's requests). Topics are never auto-created by its metadata requests.
 * @throws TributaryError UNSUPPORTED when kafkajs has no such factory.
 */
export function createInternalCluster(kafka: Kafka): InternalCluster {
  return clusterFactory(kafka).create.call(kafka, { allowAutoTopicCreation: false, maxInFlightRequests: null });
}

type ClusterFactory = (options: object) => InternalCluster;

/** The Kafka client's private cluster factory and the symbol it sits under. */
function clusterFactory(kafka: Kafka): { symbol: symbol; create: ClusterFactory } {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const create = symbol ? (kafka as unknown as Record<symbol, ClusterFactory | undefined>)[symbol] : undefined;
  if (!symbol || typeof create !== 'function') throw unsupported(`the Kafka client has no "${CREATE_CLUSTER}" factory`);
  return { symbol, create };
}

/** Whether the broker announced this version of the API (true when it announced nothing, as kafkajs then assumes). */
export function brokerSupports(broker: InternalBroker, apiKey: number, version: number): boolean {
  const range = broker.versions?.[apiKey];
  return !range || (range.minVersion <= version && range.maxVersion >= version);
}

/** A request body encoded by src/protocol/, and how to read its answer. */
export interface EncodedRequest<T extends { throttleTimeMs: number }> {
  readonly apiKey: number;
  readonly apiVersion: number;
  /** For kafkajs' logs and timeout errors. */
  readonly apiName: string;
  readonly body: Buffer;
  readonly decode: (payload: Buffer) => T;
  /** Milliseconds before the connection gives up on the answer; default the connection's request timeout. */
  readonly timeoutMs?: number;
  /** false for a request the broker never answers (a Produce with acks 0). Default true. */
  readonly expectResponse?: boolean;
  /**
   * A flexible version (KIP-482): its request header (v2) ends with tagged fields after the client id that kafkajs
   * writes, and its response header (v1) with tagged fields after the correlation id that kafkajs reads. None are
   * sent; those of the answer are skipped before `decode`. Default false.
   */
  readonly flexible?: boolean;
}

/** The request header's tagged fields of a flexible request: none. */
const NO_TAGGED_FIELDS = Buffer.from([0]);

/**
 * Send a request Tributary encoded on a broker's connections: kafkajs keeps connecting, authenticating and
 * correlating, the bytes are Tributary's. Resolves with the decoded answer, or undefined when none is expected;
 * rejects with kafkajs' connection errors (a closed connection is opened again by the next request).
 */
export function sendRawRequest<T extends { throttleTimeMs: number }>(broker: InternalBroker, request: EncodedRequest<T> & { expectResponse?: true }): Promise<T>;
export function sendRawRequest<T extends { throttleTimeMs: number }>(broker: InternalBroker, request: EncodedRequest<T>): Promise<T | undefined>;
export function sendRawRequest<T extends { throttleTimeMs: number }>(broker: InternalBroker, request: EncodedRequest<T>): Promise<T | undefined> {
  const { apiKey, apiVersion, apiName, decode, timeoutMs, expectResponse = true, flexible = false } = request;
  const body = flexible ? Buffer.concat([NO_TAGGED_FIELDS, request.body]) : request.body;
  return broker.connectionPool.send<T>({
    request: { apiKey, apiVersion, apiName, encode: () => ({ buf: body, buffer: body }), expectResponse: () => expectResponse },
    response: {
      // kafkajs holds back the connection's next requests for the `clientSideThrottleTime` a decoded response
      // names: the time the broker asks a client over its quota to wait, as kafkajs' own requests pass it on.
      decode: async (payload: Buffer) => {
        const decoded = decode(flexible ? afterTaggedFields(payload, apiName) : payload);
        return Object.assign(decoded, { clientSideThrottleTime: decoded.throttleTimeMs });
      },
      parse: async (decoded: T) => decoded,
    },
    ...(timeoutMs === undefined ? {} : { requestTimeout: timeoutMs }),
  });
}

/** What follows the tagged fields of a flexible response header. */
function afterTaggedFields(payload: Buffer, apiName: string): Buffer {
  const r = new BodyReader(payload, `${apiName} response header`);
  r.skipTaggedFields();
  return payload.subarray(payload.length - r.remaining());
}

interface ProtocolErrors {
  createErrorFromCode(code: number): KafkaJSProtocolError;
}

let protocolErrors: ProtocolErrors | undefined;

/**
 * kafkajs' error for a Kafka error code (its protocol/error.js table): a KafkaJSProtocolError whose `type` names
 * the code as kafkajs does (NOT_LEADER_FOR_PARTITION for 6) and whose `retriable` is kafkajs' view of it, so an
 * answer decoded by Tributary fails exactly as the same answer decoded by kafkajs did.
 * @throws TributaryError UNSUPPORTED when kafkajs has no such table.
 */
export function kafkaProtocolError(code: number): KafkaJSProtocolError {
  if (!protocolErrors) {
    const loaded = createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as Partial<ProtocolErrors>;
    if (typeof loaded.createErrorFromCode !== 'function') throw unsupported('kafkajs/src/protocol/error.js has no createErrorFromCode');
    protocolErrors = loaded as ProtocolErrors;
  }
  return protocolErrors.createErrorFromCode(code);
}

/**
 * Sends a commit of kafkajs' consumer group in its stead: `request` carries the member's generation and id as
 * kafkajs keeps them; `kafkajsCommit` sends it as kafkajs would have. Rejects as kafkajs' own request does (its
 * protocol errors for refused partitions), since kafkajs reads rebalances and coordinator moves from them.
 */
export type CommitSender = (broker: InternalBroker, request: InternalOffsetCommit, kafkajsCommit: () => Promise<unknown>) => Promise<unknown>;

/** What a committing consumer's owner does in kafkajs' stead, or is told of. */
export interface CommittingConsumerHooks {
  /** Sends each commit. */
  readonly commit: CommitSender;
  /** A SyncGroup was answered: the member is in `generationId` under `memberId` now. */
  readonly synced?: (generationId: number, memberId: string) => void;
}

/**
 * A kafkajs consumer (its group membership: joins, heartbeats, generations, commits) whose commits are sent by
 * `hooks.commit`: kafkajs' own OffsetCommit is version 5 at most and carries no leader epoch. Every answered
 * SyncGroup is told to `hooks.synced`: kafkajs keeps the generation to itself. The consumer's cluster is made by
 * the Kafka client's private factory, as `kafka.consumer()` makes it, and every broker that cluster hands out (its
 * group coordinator included, also after a reconnect) is seen through a view in which `offsetCommit` and
 * `syncGroup` alone are replaced. Nothing else of kafkajs' changes, and no other client or consumer is touched.
 * @throws TributaryError UNSUPPORTED when kafkajs has no such factory.
 */
export function createCommittingConsumer(kafka: Kafka, config: ConsumerConfig, hooks: CommittingConsumerHooks): Consumer {
  const client = withBrokerViews(kafka, (broker) => ({
    offsetCommit: (request: InternalOffsetCommit) => hooks.commit(broker, request, () => broker.offsetCommit(request)),
    syncGroup: async (request: InternalSyncGroup) => {
      const answer = await broker.syncGroup(request);
      hooks.synced?.(request.generationId, request.memberId);
      return answer;
    },
  }));
  return kafka.consumer.call(client, config);
}

/** A SyncGroup as kafkajs' consumer group sends it. */
export interface InternalSyncGroup {
  groupId: string;
  generationId: number;
  memberId: string;
  groupAssignment: unknown;
}

/** A TxnOffsetCommit as kafkajs' transactional producer hands it to the group coordinator (its v0/v1 fields). */
export interface InternalTxnOffsetCommit {
  transactionalId: string;
  groupId: string;
  /** As kafkajs decoded it from InitProducerId: an int64 in text (or a number). */
  producerId: string | number;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }>;
}

/**
 * Sends the offsets of kafkajs' transaction (`transaction.sendOffsets`, after kafkajs added them to the
 * transaction with AddOffsetsToTxn) in its stead; `kafkajsCommit` sends them as kafkajs would have. Rejects with
 * kafkajs' protocol errors for refused partitions, since kafkajs retries some of them and looks its coordinator
 * up again after others.
 */
export type TxnOffsetCommitSender = (broker: InternalBroker, request: InternalTxnOffsetCommit, kafkajsCommit: () => Promise<unknown>) => Promise<unknown>;

/**
 * A kafkajs producer (transactional, with `config`) whose TxnOffsetCommit requests are sent by `send`: kafkajs'
 * own is version 1 at most and carries neither the consumer's generation nor its member id (KIP-447). Made as
 * {@link createCommittingConsumer} makes its consumer: the producer's brokers are seen through a view in which
 * `txnOffsetCommit` alone is replaced. Its cluster also keeps the coordinators it found (see
 * {@link keepCoordinators}).
 * @throws TributaryError UNSUPPORTED when kafkajs has no such factory.
 */
export function createTransactionalProducer(kafka: Kafka, config: ProducerConfig, send: TxnOffsetCommitSender): Producer {
  const client = withBrokerViews(
    kafka,
    (broker) => ({ txnOffsetCommit: (request: InternalTxnOffsetCommit) => send(broker, request, () => broker.txnOffsetCommit(request)) }),
    keepCoordinators,
  );
  return kafka.producer.call(client, config);
}

/** kafkajs' protocol error types that say a coordinator moved or is gone (codes 15 and 16). */
const COORDINATOR_MOVED = new Set(['GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP']);

/**
 * Keep the coordinators `cluster` finds, as Kafka's Java producer does. kafkajs' transactional producer looks its
 * transaction coordinator up before each of AddPartitionsToTxn, AddOffsetsToTxn and EndTxn, and the group's
 * before TxnOffsetCommit, each lookup a FindCoordinator round trip: four of a transaction's nine. A coordinator is
 * looked up again after a request to it failed saying it moved (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE) or
 * without a Kafka answer (its connection failed, a timeout), after a lookup failed, and once the cluster connects
 * or disconnects; kafkajs retries those requests after looking the coordinator up again, which then asks.
 */
export function keepCoordinators(cluster: InternalCluster): void {
  const find = cluster.findGroupCoordinator;
  const known = new Map<string, Promise<InternalBroker>>();
  cluster.findGroupCoordinator = (query) => {
    const key = `${query.coordinatorType ?? 0}\u0000${query.groupId}`;
    const kept = known.get(key);
    if (kept) return kept;
    const forget = () => {
      if (known.get(key) === found) known.delete(key);
    };
    const found: Promise<InternalBroker> = find.call(cluster, query).then((broker) => watchCoordinator(broker, forget));
    found.catch(forget);
    known.set(key, found);
    return found;
  };
  // A cluster connected anew hands out new brokers: nothing found before is kept.
  for (const method of ['connect', 'disconnect'] as const) {
    const call = cluster[method];
    cluster[method] = () => {
      known.clear();
      return call.call(cluster);
    };
  }
}

/** `broker` seen through a view that calls `moved` when one of its requests fails as {@link keepCoordinators} says. */
function watchCoordinator(broker: InternalBroker, moved: () => void): InternalBroker {
  const check = (error: unknown) => {
    const e = error as { name?: string; type?: string } | null;
    if (e?.name !== 'KafkaJSProtocolError' || COORDINATOR_MOVED.has(e.type ?? '')) moved();
    throw error;
  };
  return new Proxy(broker, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? result.catch(check) : result;
      };
    },
  });
}

/**
 * A view of the Kafka client whose private cluster factory makes clusters that hand out every broker (their
 * coordinators included, also after a reconnect) through a view in which the methods `replace` gives for it
 * stand in for the broker's own. `kafka.consumer()` and `kafka.producer()` make their cluster with that factory,
 * so calling them on the view makes a client whose requests of those kinds go through the replacements.
 */
function withBrokerViews(kafka: Kafka, replace: (broker: InternalBroker) => Record<string, unknown>, adapt?: (cluster: InternalCluster) => void): Kafka {
  const { symbol, create } = clusterFactory(kafka);
  const views = new WeakMap<InternalBroker, InternalBroker>();
  const view = (broker: InternalBroker): InternalBroker => {
    let seen = views.get(broker);
    if (!seen) {
      const replaced = replace(broker);
      seen = new Proxy(broker, { get: (target, property, receiver) => (typeof property === 'string' && Object.hasOwn(replaced, property) ? replaced[property] : Reflect.get(target, property, receiver)) });
      views.set(broker, seen);
    }
    return seen;
  };
  const viewing: ClusterFactory = (options) => {
    const cluster = create.call(kafka, options);
    // The cluster's coordinator lookup ends in findBroker too, as does kafkajs' reconnect to its coordinator.
    const findBroker = cluster.findBroker;
    cluster.findBroker = async (query) => view(await findBroker.call(cluster, query));
    adapt?.(cluster);
    return cluster;
  };
  return Object.create(kafka, { [symbol]: { value: viewing } }) as Kafka;
}
