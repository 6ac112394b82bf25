/**
 * Kafka's Fetch request and response, version 11 (Kafka 2.3 and later, also accepted by 4.x), encoded and
 * decoded here so that the record sets go through Tributary's own record-batch decoder. It is sent on
 * kafkajs' connections, which keep doing what they do well: connecting, authenticating, correlating.
 */
import type { AbortedTransaction } from './record-batch.js';
import { BodyReader, Writer } from './wire.js';

export const FETCH_API_KEY = 1;
export const FETCH_VERSION = 11;

export interface FetchPartitionRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly maxBytes: number;
  /**
   * The partition's leader epoch as the reader last learned it (KIP-320), or -1 (the default) for unknown. The
   * broker answers FENCED_LEADER_EPOCH when it is older than the leader's, UNKNOWN_LEADER_EPOCH when newer, so
   * a reader with stale metadata never reads from a deposed leader.
   */
  readonly currentLeaderEpoch?: number;
}

export interface FetchRequest {
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** 0 read_uncommitted, 1 read_committed. */
  readonly isolationLevel: 0 | 1;
  readonly partitions: readonly FetchPartitionRequest[];
}

export interface FetchPartitionResponse {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  /** One past the last record a read_committed reader may see (below any open transaction). */
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  readonly aborted: readonly AbortedTransaction[];
  /** The record set: whole record batches, perhaps followed by a partial one. Empty when there is none. */
  readonly records: Buffer;
}

export interface FetchResponse {
  readonly errorCode: number;
  readonly throttleTimeMs: number;
  readonly partitions: FetchPartitionResponse[];
}

/** The request body (what follows the request header). Partitions of one topic are grouped, in first-seen order. */
export function encodeFetchRequest(request: FetchRequest): Buffer {
  const w = new Writer();
  w.int32(-1); // replica id: a consumer
  w.int32(request.maxWaitMs);
  w.int32(request.minBytes);
  w.int32(request.maxBytes);
  w.int8(request.isolationLevel);
  w.int32(0); // session id: no fetch session
  w.int32(-1); // session epoch: full fetch
  w.partitionsByTopic(request.partitions, (p) => {
    w.int32(p.partition);
    w.int32(p.currentLeaderEpoch ?? -1);
    w.int64(p.offset);
    w.int64(-1n); // log start offset: only followers send it
    w.int32(p.maxBytes);
  });
  w.int32(0); // forgotten topics
  w.string(''); // rack id
  return w.done();
}

/** Decode a Fetch v11 response body (what follows the correlation id). */
export function decodeFetchResponse(body: Buffer): FetchResponse {
  const r = new BodyReader(body, 'fetch response');
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  r.int32(); // session id
  const partitions: FetchPartitionResponse[] = [];
  r.partitionsByTopic((topic) => {
    const partition = r.int32();
    const partitionError = r.int16();
    const highWatermark = r.int64();
    const lastStableOffset = r.int64();
    const logStartOffset = r.int64();
    const aborted: AbortedTransaction[] = [];
    for (let a = r.int32(); a > 0; a--) aborted.push({ producerId: r.int64(), firstOffset: r.int64() });
    r.int32(); // preferred read replica
    const size = r.int32();
    const records = size > 0 ? r.take(size) : EMPTY;
    partitions.push({ topic, partition, errorCode: partitionError, highWatermark, lastStableOffset, logStartOffset, aborted, records });
  });
  return { errorCode, throttleTimeMs, partitions };
}

const EMPTY = Buffer.alloc(0);
