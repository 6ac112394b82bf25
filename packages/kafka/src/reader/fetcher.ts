import kafkajs, { type Kafka } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { decodeFetchResponse, encodeFetchRequest, FETCH_API_KEY, FETCH_VERSION, type FetchRequest, type FetchResponse } from './fetch-protocol.js';
import { decodeRecordBatches, RecordBatchFormatError, type DecodedRecord } from './record-batch.js';

// kafkajs is CommonJS and Node's ESM loader does not see this export by name.
const { CompressionCodecs } = kafkajs;

/** One record fetched from a partition, with its exact offset. */
export interface FetchedRecord extends DecodedRecord {
  readonly topic: string;
  readonly partition: number;
}

/** What one fetch of a partition returned. */
export interface FetchResult {
  records: FetchedRecord[];
  /** The partition's high watermark when the broker answered (one past its last committed record). */
  highWatermark: bigint;
  /** Where the next fetch starts: past the fetched batches, transaction markers and compacted gaps included. */
  next: bigint;
}

/** A partition to fetch, from `offset` (inclusive). */
export interface PartitionFetchRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

/** What a fetch brought for one partition. */
export interface PartitionFetch extends PartitionFetchRequest {
  /** Records from the requested offset on; control records and aborted transactions are left out. */
  readonly records: DecodedRecord[];
  /** Where the next fetch of the partition starts (past transaction markers too): `offset` when nothing came. */
  readonly next: bigint;
  readonly highWatermark: bigint;
  /**
   * Set when the partition could not be read: OFFSET_OUT_OF_RANGE (the offset lies outside the log; `context`
   * has `low` and `high`), or CONNECTION, retriable (its leader moved or is unknown: metadata is refreshed and
   * the next fetch asks the new leader).
   */
  readonly error?: TributaryError;
}

export interface FetchOptions {
  /** Bytes per partition, about (a batch larger than this still comes whole). Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Bytes per response, about. Default 50 MiB. */
  maxBytes?: number;
  /** How long the broker may wait for `minBytes` to arrive. Default 0. */
  maxWaitMs?: number;
  minBytes?: number;
}

// kafkajs' Cluster and Broker are internal: only their use below is relied on (kafkajs 2.2.x, unmaintained,
// so it will not change under us). They give what kafkajs' public API lacks: a fetch with no consumer group,
// on kafkajs' connections (authentication, TLS, correlation) but with Tributary's own record decoding.
interface KafkajsBroker {
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send(protocol: object): Promise<FetchResponse> };
}
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<KafkajsBroker>;
}

const READ_COMMITTED = 1;
/** Added to the broker's wait for the request's own timeout, as kafkajs does for its fetches. */
const NETWORK_DELAY_MS = 100;
/** Kafka error codes after which the partition's leader must be looked up again. */
const STALE_LEADER = new Set([3, 5, 6, 74, 75]); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER, FENCED/UNKNOWN_LEADER_EPOCH
const OFFSET_OUT_OF_RANGE = 1;

function createCluster(kafka: Kafka): KafkajsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[symbol] : undefined;
  if (!create) throw new Error('this kafkajs version does not expose its cluster; a group-less fetch needs kafkajs 2.2');
  return create({ allowAutoTopicCreation: false, maxInFlightRequests: null });
}

/**
 * Reads partitions from any offset without joining a consumer group and without committing anything: what
 * replay, catch-up readers and the consumer group's own fetch loop need. Each fetch goes to the partitions'
 * leaders, one request per leader; a moved leader is found again on the next call. Record sets are decoded by
 * Tributary's record-batch decoder (about a third of kafkajs' cost per record), compressed ones through the
 * codecs registered with kafkajs (see useCompression).
 */
export class KafkaFetcher implements AsyncDisposable {
  readonly #cluster: KafkajsCluster;
  readonly #topics = new Set<string>();
  #connected = false;
  #staleMetadata = false;

  constructor(kafka: Kafka) {
    this.#cluster = createCluster(kafka);
  }

  /**
   * Fetch records of one partition from `offset` (inclusive), at most about `maxBytes`, waiting up to
   * `maxWaitMs` for data when there is none yet. Control records (transaction markers) are left out.
   * @throws TributaryError OFFSET_OUT_OF_RANGE when `offset` is outside the partition; CONNECTION otherwise.
   */
  async fetch(topic: string, partition: number, offset: bigint, options: { maxBytes?: number; maxWaitMs?: number } = {}): Promise<FetchResult> {
    const [answer] = await this.fetchPartitions([{ topic, partition, offset }], { maxBytesPerPartition: options.maxBytes, maxBytes: options.maxBytes, maxWaitMs: options.maxWaitMs });
    if (answer!.error) throw answer!.error;
    return { records: answer!.records.map((r) => withPlace(r, topic, partition)), highWatermark: answer!.highWatermark, next: answer!.next };
  }

  /**
   * Fetch several partitions at once: one request per leader, sent side by side. Each partition's failure comes
   * back in its answer's `error` (a leader that cannot be reached fails its partitions, not the call); `each`,
   * when given, gets each leader's answers as they arrive, so one leader waiting for data holds up no other. The
   * answers are returned in the order of `requests`.
   * @throws TributaryError CONNECTION when the cluster's metadata cannot be read; INVALID_ARGUMENT for a
   *   partition the topic does not have.
   */
  async fetchPartitions(requests: readonly PartitionFetchRequest[], options: FetchOptions = {}, each?: (answers: PartitionFetch[]) => void): Promise<PartitionFetch[]> {
    if (requests.length === 0) return [];
    const perPartition = options.maxBytesPerPartition ?? 1024 * 1024;
    let byLeader: Map<string, PartitionFetchRequest[]>;
    try {
      byLeader = await this.#leaders(requests);
    } catch (error) {
      const first = requests[0]!;
      throw fetchError(error, first.topic, first.partition, first.offset);
    }
    const answers = new Map<string, PartitionFetch>();
    await Promise.all(
      [...byLeader].map(async ([nodeId, partitions]) => {
        let list: PartitionFetch[];
        try {
          const broker = await this.#cluster.findBroker({ nodeId });
          const response = await sendFetch(broker, {
            maxWaitMs: options.maxWaitMs ?? 0,
            minBytes: options.minBytes ?? 1,
            maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
            isolationLevel: READ_COMMITTED,
            partitions: partitions.map((p) => ({ ...p, maxBytes: perPartition })),
          });
          list = await Promise.all(partitions.map((p) => this.#answer(p, response)));
        } catch (error) {
          // The broker may be gone or no longer lead: look the leaders up again before the next fetch.
          this.#staleMetadata = true;
          list = partitions.map((p) => ({ ...p, records: [], next: p.offset, highWatermark: -1n, error: fetchError(error, p.topic, p.partition, p.offset) }));
        }
        for (const a of list) answers.set(key(a.topic, a.partition), a);
        each?.(list);
      }),
    );
    return requests.map((r) => answers.get(key(r.topic, r.partition))!);
  }

  async close(): Promise<void> {
    if (this.#connected) await this.#cluster.disconnect();
    this.#connected = false;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #leaders(requests: readonly PartitionFetchRequest[]): Promise<Map<string, PartitionFetchRequest[]>> {
    if (!this.#connected) {
      await this.#cluster.connect();
      this.#connected = true;
    }
    const newTopics = requests.map((r) => r.topic).filter((t) => !this.#topics.has(t));
    if (newTopics.length > 0) {
      await this.#cluster.addMultipleTargetTopics([...new Set(newTopics)]);
      for (const t of newTopics) this.#topics.add(t);
    }
    if (this.#staleMetadata) {
      await this.#cluster.refreshMetadata();
      this.#staleMetadata = false;
    }
    let byLeader = this.#group(requests);
    if (!byLeader) {
      await this.#cluster.refreshMetadata();
      byLeader = this.#group(requests);
    }
    if (!byLeader) {
      const missing = requests.find((r) => Object.keys(this.#cluster.findLeaderForPartitions(r.topic, [r.partition])).length === 0)!;
      throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${missing.topic}" has no partition ${missing.partition}`, { context: { topic: missing.topic, partition: missing.partition } });
    }
    return byLeader;
  }

  /** Requests by leader node id; undefined when some partition's leader is unknown. */
  #group(requests: readonly PartitionFetchRequest[]): Map<string, PartitionFetchRequest[]> | undefined {
    const out = new Map<string, PartitionFetchRequest[]>();
    for (const r of requests) {
      const nodeId = Object.keys(this.#cluster.findLeaderForPartitions(r.topic, [r.partition]))[0];
      if (nodeId === undefined) return undefined;
      const list = out.get(nodeId);
      if (list) list.push(r);
      else out.set(nodeId, [r]);
    }
    return out;
  }

  async #answer(request: PartitionFetchRequest, response: FetchResponse): Promise<PartitionFetch> {
    const { topic, partition, offset } = request;
    const part = response.partitions.find((p) => p.partition === partition && p.topic === topic);
    if (!part) return { ...request, records: [], next: offset, highWatermark: -1n, error: fetchError(new Error('the broker left the partition out of its answer'), topic, partition, offset) };
    if (part.errorCode === OFFSET_OUT_OF_RANGE) {
      return { ...request, records: [], next: offset, highWatermark: part.highWatermark, error: outOfRange(topic, partition, offset) };
    }
    if (part.errorCode !== 0) {
      if (STALE_LEADER.has(part.errorCode)) this.#staleMetadata = true;
      const error = new TributaryError(ErrorCodes.CONNECTION, `Fetching ${topic}:${partition} from offset ${offset} failed: Kafka error code ${part.errorCode}`, {
        retriable: true,
        context: { topic, partition, offset: offset.toString(), kafkaErrorCode: part.errorCode },
      });
      return { ...request, records: [], next: offset, highWatermark: part.highWatermark, error };
    }
    try {
      const decoded = await decodeRecordBatches(part.records, offset, decompress, part.aborted);
      return { ...request, records: decoded.records, next: decoded.next !== undefined && decoded.next > offset ? decoded.next : offset, highWatermark: part.highWatermark };
    } catch (error) {
      return { ...request, records: [], next: offset, highWatermark: part.highWatermark, error: fetchError(error, topic, partition, offset) };
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function withPlace(r: DecodedRecord, topic: string, partition: number): FetchedRecord {
  return { topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
}

async function sendFetch(broker: KafkajsBroker, request: FetchRequest): Promise<FetchResponse> {
  const range = broker.versions?.[FETCH_API_KEY];
  if (range && (range.minVersion > FETCH_VERSION || range.maxVersion < FETCH_VERSION)) {
    throw new TributaryError(ErrorCodes.CONNECTION, `The broker accepts Fetch versions ${range.minVersion}-${range.maxVersion}; Tributary reads with version ${FETCH_VERSION} (Kafka 2.3 or later)`, { retriable: false });
  }
  const body = encodeFetchRequest(request);
  return broker.connectionPool.send({
    request: { apiKey: FETCH_API_KEY, apiVersion: FETCH_VERSION, apiName: 'Fetch', encode: () => ({ buf: body, buffer: body }) },
    response: {
      // kafkajs holds back the connection's next requests for the `clientSideThrottleTime` a decoded response
      // names: the time the broker asks a client over its quota to wait, as kafkajs' own fetch passes it on.
      decode: async (payload: Buffer) => {
        const decoded = decodeFetchResponse(payload);
        return Object.assign(decoded, { clientSideThrottleTime: decoded.throttleTimeMs });
      },
      parse: async (decoded: FetchResponse) => {
        if (decoded.errorCode !== 0) throw new Error(`Kafka error code ${decoded.errorCode}`);
        return decoded;
      },
    },
    requestTimeout: request.maxWaitMs + NETWORK_DELAY_MS + 30_000,
  });
}

/** Decompress through the codecs registered with kafkajs, so the producer's registrations serve reading too. */
async function decompress(codec: number, data: Buffer): Promise<Buffer> {
  const factory = (CompressionCodecs as Record<number, (() => { decompress(b: Buffer): Promise<Buffer> }) | undefined>)[codec];
  if (!factory) {
    throw new TributaryError(ErrorCodes.CONNECTION, `A record batch is compressed with codec ${codec}, which is not registered; call registerAllCompressionCodecs() first`, { retriable: false, context: { codec } });
  }
  return factory().decompress(data);
}

/** The broker's answer to an offset outside the log does not say where the log lies (it sends -1): the caller asks. */
function outOfRange(topic: string, partition: number, offset: bigint): TributaryError {
  return new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${offset} is outside partition ${topic}:${partition}`, {
    context: { topic, partition, offset: offset.toString() },
  });
}

function fetchError(error: unknown, topic: string, partition: number, offset: bigint): TributaryError {
  if (error instanceof TributaryError) return error;
  const badBytes = error instanceof RecordBatchFormatError;
  return new TributaryError(ErrorCodes.CONNECTION, `Fetching ${topic}:${partition} from offset ${offset} failed: ${(error as Error).message}`, {
    cause: error,
    retriable: !badBytes && ((error as { retriable?: boolean }).retriable ?? true),
    context: { topic, partition, offset: offset.toString() },
  });
}
