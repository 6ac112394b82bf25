import { ErrorCodes, TributaryError } from '@tributary/core';
import { partitionKey } from '../admin/topic-partition.js';
import type { KafkaClient } from '../connection/kafka-client.js';
import { brokerErrorKind, codeOfKind } from '../errors.js';
import { createInternalCluster, type InternalBroker, type InternalCluster } from '../internal/kafkajs-internals.js';
import { kKafkajs } from '../internal/symbols.js';
import type { FetchResponse } from '../protocol/fetch-protocol.js';
import { decodeRecordBatches, RecordBatchFormatError, type DecodedRecord, type UndecodableBatch } from '../protocol/record-batch.js';
import { decompress } from '../protocol/decompress.js';
import { sendFetch } from './broker-requests.js';
import { LeaderEpochs, type Validation } from './leader-epochs.js';

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
  /**
   * The leader epoch of the last record the caller consumed before `offset` (a previous answer's `lastEpoch`),
   * if it knows it. With it the reader checks, after a leader change, that the new leader's log still holds
   * that record (KIP-320) and answers LOG_TRUNCATED when it does not; without it nothing is checked.
   */
  readonly lastEpoch?: number;
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
   * The leader epoch of the batch of the last record returned, to send back as the next request's `lastEpoch`;
   * the request's own `lastEpoch` when no record came.
   */
  readonly lastEpoch?: number;
  /**
   * Set when the partition could not be read:
   * - OFFSET_OUT_OF_RANGE: the offset lies outside the log;
   * - CONNECTION, retriable: its leader moved or is unknown, a replica or its storage failed (metadata is
   *   refreshed and the next fetch asks the new leader), or the broker could not be reached;
   * - DECODE_FAILED: the bytes at `offset` are not a record batch Tributary can read (CRC mismatch, a length
   *   past its end, an unknown compression, an old message format), with `context` naming topic, partition and
   *   offset; trying again reads the same bytes, so it is not retriable;
   * - AUTHORIZATION or UNSUPPORTED: access refused or a protocol version missing; never retriable;
   * - LOG_TRUNCATED, not retriable: after a leader change, the new leader's log ends the epoch of the request's
   *   `lastEpoch` below `offset` (an unclean leader election lost records the caller had read). `context` has
   *   topic, partition, offset and `truncatedTo`, the end offset as a decimal string: the records from there
   *   on are the new leader's, never seen by the caller; nothing was fetched for the partition.
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

const OFFSET_OUT_OF_RANGE = 1;

/**
 * Reads partitions from any offset without joining a consumer group and without committing anything: the one
 * group-less reader under replay, the pull reader, readToEnd, the schema log and the consumer group's own fetch
 * loop. Each fetch goes to the partitions' leaders, one request per leader, on connections of its own; a moved
 * leader is found again on the next call. Each fetch carries the partition's leader epoch (KIP-320), learned
 * with Metadata v7 whenever the leaders are looked up, and after a leader change a position is checked against
 * the new leader's log before it is read from (see {@link PartitionFetchRequest.lastEpoch}). Record sets are
 * decoded by Tributary's record-batch decoder, which reads every compression Kafka's clients write (gzip,
 * snappy, lz4, zstd) with no codec registered by anyone.
 */
export class KafkaReader implements AsyncDisposable {
  readonly #cluster: InternalCluster;
  readonly #isolation: 0 | 1;
  readonly #checkCrcs: boolean;
  readonly #retries: number;
  readonly #topics = new Set<string>();
  readonly #epochs = new LeaderEpochs();
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
          // Positions that a leader change put in doubt are checked first; one found truncated is not fetched.
          const checked = await this.#validate(broker, partitions);
          const toFetch = partitions.filter((p) => !checked.has(partitionKey(p.topic, p.partition)));
          list = [...checked.values()];
          if (toFetch.length > 0) list.push(...(await this.#fetchFrom(broker, toFetch, options, perPartition)));
        } catch (error) {
          list = this.#unreachable(partitions, error);
        }
        for (const a of list) answers.set(partitionKey(a.topic, a.partition), a);
        each?.(list);
      }),
    );
    return requests.map((r) => answers.get(partitionKey(r.topic, r.partition))!);
  }

  async #fetchFrom(broker: InternalBroker, partitions: readonly PartitionFetchRequest[], options: FetchOptions, perPartition: number): Promise<PartitionFetch[]> {
    const epochs = partitions.map((p) => this.#epochs.current(p.topic, p.partition));
    let response: FetchResponse;
    try {
      response = await sendFetch(broker, {
        maxWaitMs: options.maxWaitMs ?? 0,
        minBytes: options.minBytes ?? 1,
        maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
        isolationLevel: this.#isolation,
        partitions: partitions.map((p, i) => ({ topic: p.topic, partition: p.partition, offset: p.offset, maxBytes: perPartition, currentLeaderEpoch: epochs[i] })),
      });
    } catch (error) {
      return this.#unreachable(partitions, error);
    }
    return Promise.all(partitions.map((p, i) => this.#answer(p, response, epochs[i]!)));
  }

  /** The broker may be gone or no longer lead: the leaders are looked up again before the next fetch. */
  #unreachable(partitions: readonly PartitionFetchRequest[], error: unknown): PartitionFetch[] {
    this.#staleMetadata = true;
    return partitions.map((p) => notRead(p, fetchError(error, p.topic, p.partition, p.offset)));
  }

  /**
   * Check the positions whose leader epoch moved since they were last read (KIP-320), as Kafka's Java consumer
   * does after a leader change: the answers of the partitions not to fetch now, by key.
   */
  async #validate(broker: InternalBroker, partitions: readonly PartitionFetchRequest[]): Promise<Map<string, PartitionFetch>> {
    const out = new Map<string, PartitionFetch>();
    const due = partitions.filter((p) => this.#epochs.needsValidation(p.topic, p.partition, p.lastEpoch));
    if (due.length === 0) return out;
    let results: Validation[];
    try {
      results = await this.#epochs.validate(broker, due.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset, lastEpoch: p.lastEpoch! })));
    } catch (error) {
      for (const a of this.#unreachable(due, error)) out.set(partitionKey(a.topic, a.partition), a);
      return out;
    }
    due.forEach((p, i) => {
      const error = this.#validationError(p, results[i]!);
      if (error) out.set(partitionKey(p.topic, p.partition), notRead(p, error));
    });
    return out;
  }

  #validationError(p: PartitionFetchRequest, validation: Validation): TributaryError | undefined {
    const { topic, partition, offset } = p;
    switch (validation.kind) {
      case 'valid':
        return undefined;
      case 'truncated':
        return new TributaryError(ErrorCodes.LOG_TRUNCATED, `The log of ${topic}:${partition} was truncated to offset ${validation.truncatedTo} after a leader change; records up to offset ${offset} had been read from it`, {
          retriable: false,
          context: { topic, partition, offset: offset.toString(), truncatedTo: validation.truncatedTo.toString() },
        });
      case 'unknown-epoch':
        // The leader's log starts after every record of that epoch: as Java's consumer, the position is reset.
        return new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${offset} of ${topic}:${partition} cannot be checked: the leader's log no longer holds epoch ${p.lastEpoch}`, {
          context: { topic, partition, offset: offset.toString(), lastEpoch: p.lastEpoch },
        });
      case 'error':
        return this.#brokerError(validation.errorCode, topic, partition, offset, 'Checking the position of');
    }
  }

  /** A partition's Kafka error code as a TributaryError; the leaders are looked up again when it says so. */
  #brokerError(code: number, topic: string, partition: number, offset: bigint, what: string): TributaryError {
    const kind = brokerErrorKind(code);
    if (kind === 'refresh-metadata') this.#staleMetadata = true;
    return new TributaryError(codeOfKind(kind), `${what} ${topic}:${partition} at offset ${offset} failed: Kafka error code ${code} (${kind})`, {
      retriable: kind === 'refresh-metadata' || kind === 'retriable',
      context: { topic, partition, offset: offset.toString(), kafkaErrorCode: code },
    });
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
      this.#epochs.markStale();
    }
    if (this.#staleMetadata) {
      await this.#cluster.refreshMetadata();
      this.#staleMetadata = false;
      this.#epochs.markStale();
    }
    let byLeader = this.#group(requests);
    if (!byLeader) {
      await this.#cluster.refreshMetadata();
      this.#epochs.markStale();
      byLeader = this.#group(requests);
    }
    // The leader epochs are learned with each look-up of the leaders (kafkajs' Metadata has none), from one of them.
    if (byLeader && this.#epochs.stale) await this.#epochs.refresh(await this.#cluster.findBroker({ nodeId: byLeader.keys().next().value! }), [...this.#topics]);
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

  /** `epoch`: the leader epoch the fetch was sent with; a partition answered without error was read under it. */
  async #answer(request: PartitionFetchRequest, response: FetchResponse, epoch: number): Promise<PartitionFetch> {
    const { topic, partition, offset } = request;
    const part = response.partitions.find((p) => p.partition === partition && p.topic === topic);
    const empty = { ...request, records: [], next: offset, highWatermark: part?.highWatermark ?? -1n, lastStableOffset: part?.lastStableOffset ?? -1n };
    if (!part) return { ...empty, error: fetchError(new Error('the broker left the partition out of its answer'), topic, partition, offset) };
    if (part.errorCode === OFFSET_OUT_OF_RANGE) return { ...empty, error: outOfRange(topic, partition, offset) };
    if (part.errorCode !== 0) return { ...empty, error: this.#brokerError(part.errorCode, topic, partition, offset, 'Fetching') };
    this.#epochs.validated(topic, partition, epoch);
    try {
      const decoded = await decodeRecordBatches(part.records, offset, { decompress, aborted: part.aborted, checkCrcs: this.#checkCrcs });
      return { ...empty, records: decoded.records, next: decoded.next !== undefined && decoded.next > offset ? decoded.next : offset, lastEpoch: decoded.lastEpoch ?? request.lastEpoch };
    } catch (error) {
      if (!(error instanceof RecordBatchFormatError) || !error.batch) return { ...empty, error: fetchError(error, topic, partition, offset) };
      // The batches before the bad one are handed out; the next fetch starts at the bad one and reports it.
      const before = error.before;
      if (before && before.records.length > 0) return { ...empty, records: before.records, next: before.next!, lastEpoch: before.lastEpoch ?? request.lastEpoch };
      const at = error.batch.baseOffset > offset ? error.batch.baseOffset : offset;
      return { ...empty, error: fetchError(error, topic, partition, at, error.batch), undecodable: error.batch };
    }
  }
}

/** A partition not read this time: nothing fetched, `error` says why. */
function notRead(p: PartitionFetchRequest, error: TributaryError): PartitionFetch {
  return { ...p, records: [], next: p.offset, highWatermark: -1n, lastStableOffset: -1n, error };
}

function withPlace(r: DecodedRecord, topic: string, partition: number): FetchedRecord {
  const placed = { topic, partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers };
  return r.headerList ? { ...placed, headerList: r.headerList } : placed;
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
