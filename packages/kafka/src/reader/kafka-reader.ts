import { ErrorCodes, TributaryError } from '@tributary/core';
import type { KafkaClient } from '../connection/kafka-client.js';
import { brokerErrorKind, codeOfKind } from '../errors.js';
import { createInternalCluster, type InternalBroker, type InternalCluster } from '../internal/kafkajs-internals.js';
import { kKafkajs } from '../internal/symbols.js';
import { decodeFetchResponse, encodeFetchRequest, FETCH_API_KEY, FETCH_VERSION, type FetchRequest, type FetchResponse } from '../protocol/fetch-protocol.js';
import { decodeRecordBatches, RecordBatchFormatError, type DecodedRecord, type UndecodableBatch } from '../protocol/record-batch.js';
import { decompress } from '../protocol/decompress.js';

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
  /** One past the last record a read_committed reader may see now (below any open transaction); -1 when unknown. */
  readonly lastStableOffset: bigint;
  /**
   * Set when the partition could not be read:
   * - OFFSET_OUT_OF_RANGE: the offset lies outside the log;
   * - CONNECTION, retriable: its leader moved or is unknown, a replica or its storage failed (metadata is
   *   refreshed and the next fetch asks the new leader), or the broker could not be reached;
   * - DECODE_FAILED: the bytes at `offset` are not a record batch Tributary can read (CRC mismatch, a length
   *   past its end, an unknown compression, an old message format), with `context` naming topic, partition and
   *   offset; trying again reads the same bytes, so it is not retriable;
   * - AUTHORIZATION or UNSUPPORTED: access refused or a protocol version missing; never retriable.
   */
  readonly error?: TributaryError;
  /** With a DECODE_FAILED error: the batch that failed, and how far a reader may step over it. */
  readonly undecodable?: UndecodableBatch;
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

/** Options of a {@link KafkaReader}. */
export interface KafkaReaderOptions {
  /**
   * 'read_committed' (the default, as Tributary writes transactionally where it can): records of open and
   * aborted transactions are never returned; 'read_uncommitted': everything appended.
   */
  isolationLevel?: 'read_committed' | 'read_uncommitted';
  /** Check each record batch's CRC32C, as Java's `check.crcs` (default true). */
  checkCrcs?: boolean;
  /** Attempts of a single-partition {@link KafkaReader.fetch} on a retriable failure, with back-off. Default 5. */
  retries?: number;
}

/** Added to the broker's wait for the request's own timeout, as kafkajs does for its fetches. */
const NETWORK_DELAY_MS = 100;
const OFFSET_OUT_OF_RANGE = 1;

/**
 * Reads partitions from any offset without joining a consumer group and without committing anything: the one
 * group-less reader under replay, the pull reader, readToEnd, the schema log and the consumer group's own fetch
 * loop. Each fetch goes to the partitions' leaders, one request per leader, on connections of its own; a moved
 * leader is found again on the next call. Record sets are decoded by Tributary's record-batch decoder, which
 * reads every compression Kafka's clients write (gzip, snappy, lz4, zstd) with no codec registered by anyone.
 */
export class KafkaReader implements AsyncDisposable {
  readonly #cluster: InternalCluster;
  readonly #isolation: 0 | 1;
  readonly #checkCrcs: boolean;
  readonly #retries: number;
  readonly #topics = new Set<string>();
  #connected = false;
  #staleMetadata = false;

  constructor(client: KafkaClient, options: KafkaReaderOptions = {}) {
    this.#cluster = createInternalCluster(client[kKafkajs]);
    this.#isolation = (options.isolationLevel ?? 'read_committed') === 'read_committed' ? 1 : 0;
    this.#checkCrcs = options.checkCrcs ?? true;
    this.#retries = options.retries ?? 5;
  }

  /**
   * Fetch records of one partition from `offset` (inclusive), at most about `maxBytes`, waiting up to
   * `maxWaitMs` for data when there is none yet. Control records (transaction markers) are left out; `next` is
   * past everything the fetch covered, so empty ranges, markers and aborted transactions are stepped over.
   * Retriable failures are tried again `retries` times with a growing back-off (100 ms doubling to 2 s).
   * @throws TributaryError OFFSET_OUT_OF_RANGE when `offset` is outside the partition; DECODE_FAILED,
   *   AUTHORIZATION, UNSUPPORTED at once; CONNECTION once the retries are spent.
   */
  async fetch(topic: string, partition: number, offset: bigint, options: { maxBytes?: number; maxWaitMs?: number } = {}): Promise<FetchResult> {
    for (let attempt = 0; ; attempt++) {
      let answer: PartitionFetch | undefined;
      try {
        [answer] = await this.fetchPartitions([{ topic, partition, offset }], { maxBytesPerPartition: options.maxBytes, maxBytes: options.maxBytes, maxWaitMs: options.maxWaitMs });
      } catch (error) {
        if (!(error instanceof TributaryError) || !error.retriable || attempt >= this.#retries) throw error;
      }
      const error = answer?.error;
      if (answer && !error) return { records: answer.records.map((r) => withPlace(r, topic, partition)), highWatermark: answer.highWatermark, next: answer.next };
      if (error && (!error.retriable || attempt >= this.#retries)) throw error;
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
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
            isolationLevel: this.#isolation,
            partitions: partitions.map((p) => ({ ...p, maxBytes: perPartition })),
          });
          list = await Promise.all(partitions.map((p) => this.#answer(p, response)));
        } catch (error) {
          // The broker may be gone or no longer lead: look the leaders up again before the next fetch.
          this.#staleMetadata = true;
          list = partitions.map((p) => ({ ...p, records: [], next: p.offset, highWatermark: -1n, lastStableOffset: -1n, error: fetchError(error, p.topic, p.partition, p.offset) }));
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
    const empty = { ...request, records: [], next: offset, highWatermark: part?.highWatermark ?? -1n, lastStableOffset: part?.lastStableOffset ?? -1n };
    if (!part) return { ...empty, error: fetchError(new Error('the broker left the partition out of its answer'), topic, partition, offset) };
    if (part.errorCode === OFFSET_OUT_OF_RANGE) return { ...empty, error: outOfRange(topic, partition, offset) };
    if (part.errorCode !== 0) {
      const kind = brokerErrorKind(part.errorCode);
      if (kind === 'refresh-metadata') this.#staleMetadata = true;
      const retriable = kind === 'refresh-metadata' || kind === 'retriable';
      const error = new TributaryError(codeOfKind(kind), `Fetching ${topic}:${partition} from offset ${offset} failed: Kafka error code ${part.errorCode} (${kind})`, {
        retriable,
        context: { topic, partition, offset: offset.toString(), kafkaErrorCode: part.errorCode },
      });
      return { ...empty, error };
    }
    try {
      const decoded = await decodeRecordBatches(part.records, offset, { decompress, aborted: part.aborted, checkCrcs: this.#checkCrcs });
      return { ...empty, records: decoded.records, next: decoded.next !== undefined && decoded.next > offset ? decoded.next : offset };
    } catch (error) {
      if (!(error instanceof RecordBatchFormatError) || !error.batch) return { ...empty, error: fetchError(error, topic, partition, offset) };
      // The batches before the bad one are handed out; the next fetch starts at the bad one and reports it.
      const before = error.before;
      if (before && before.records.length > 0) return { ...empty, records: before.records, next: before.next! };
      const at = error.batch.baseOffset > offset ? error.batch.baseOffset : offset;
      return { ...empty, error: fetchError(error, topic, partition, at, error.batch), undecodable: error.batch };
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function withPlace(r: DecodedRecord, topic: string, partition: number): FetchedRecord {
  return { topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
}

async function sendFetch(broker: InternalBroker, request: FetchRequest): Promise<FetchResponse> {
  const range = broker.versions?.[FETCH_API_KEY];
  if (range && (range.minVersion > FETCH_VERSION || range.maxVersion < FETCH_VERSION)) {
    throw new TributaryError(ErrorCodes.UNSUPPORTED, `The broker accepts Fetch versions ${range.minVersion}-${range.maxVersion}; Tributary reads with version ${FETCH_VERSION} (Kafka 2.3 or later)`, { retriable: false });
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

/** The broker's answer to an offset outside the log does not say where the log lies (it sends -1): the caller asks. */
function outOfRange(topic: string, partition: number, offset: bigint): TributaryError {
  return new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${offset} is outside partition ${topic}:${partition}`, {
    context: { topic, partition, offset: offset.toString() },
  });
}

function fetchError(error: unknown, topic: string, partition: number, offset: bigint, batch?: UndecodableBatch): TributaryError {
  if (error instanceof TributaryError) return error;
  const context = { topic, partition, offset: offset.toString() };
  const message = (error as Error).message;
  if (error instanceof RecordBatchFormatError) {
    const extent = batch?.skipTo === undefined ? '' : ` (offsets ${batch.baseOffset} to ${batch.skipTo - 1n})`;
    return new TributaryError(ErrorCodes.DECODE_FAILED, `The record batch of ${topic}:${partition} at offset ${offset}${extent} cannot be read: ${message}`, {
      cause: error,
      context: { ...context, ...(batch?.skipTo === undefined ? {} : { skipTo: batch.skipTo.toString() }) },
    });
  }
  return new TributaryError(ErrorCodes.CONNECTION, `Fetching ${topic}:${partition} from offset ${offset} failed: ${message}`, {
    cause: error,
    retriable: (error as { retriable?: boolean }).retriable ?? true,
    context,
  });
}
