/**
 * Kafka's Produce request and response, versions 7 and 8 (Kafka 2.1 and 2.4 and later, also accepted by 4.x),
 * encoded and decoded here so that a request carries record batches Tributary encoded itself
 * (record-batch-encoder.ts). Version 7 is the first to allow zstd batches (KIP-110); version 8 adds the broker's
 * error message and the records it refused (KIP-467). Neither is flexible.
 *
 * Layouts from Kafka's clients/src/main/resources/common/message/ProduceRequest.json and ProduceResponse.json:
 * - request: TransactionalId (nullable string), Acks (int16), TimeoutMs (int32), TopicData [Name, PartitionData
 *   [Index (int32), Records (int32 length, then the record batches)]];
 * - response: Responses [Name, PartitionResponses [Index, ErrorCode (int16), BaseOffset (int64), LogAppendTimeMs
 *   (int64), LogStartOffset (int64), RecordErrors (v8+) [BatchIndex (int32), BatchIndexErrorMessage (nullable
 *   string)], ErrorMessage (v8+, nullable string)]], ThrottleTimeMs (int32).
 */
import { BodyReader, Writer } from './wire.js';

export const PRODUCE_API_KEY = 0;
/** The versions this codec speaks, newest first. */
export const PRODUCE_VERSIONS = [8, 7] as const;
export type ProduceVersion = (typeof PRODUCE_VERSIONS)[number];

export interface ProducePartitionRequest {
  readonly topic: string;
  readonly partition: number;
  /** One or more whole v2 record batches. */
  readonly records: Buffer;
}

export interface ProduceRequest {
  /** -1 all in-sync replicas, 1 the leader, 0 no answer at all. */
  readonly acks: -1 | 0 | 1;
  /** How long the broker may wait for `acks` replicas before answering REQUEST_TIMED_OUT. */
  readonly timeoutMs: number;
  /** Only a transactional producer sends one. Default null. */
  readonly transactionalId?: string | null;
  readonly partitions: readonly ProducePartitionRequest[];
}

export interface ProducePartitionResponse {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  /** The offset the leader gave the request's first record; -1 on an error. */
  readonly baseOffset: bigint;
  /** -1 unless the topic stamps the broker's append time. */
  readonly logAppendTimeMs: bigint;
  readonly logStartOffset: bigint;
  /** v8: the records the broker refused (INVALID_RECORD), by their index in the batch, with why. */
  readonly recordErrors: ReadonlyArray<{ readonly batchIndex: number; readonly message: string | null }>;
  /** v8: the broker's words on the error, when it gave any. */
  readonly errorMessage: string | null;
}

export interface ProduceResponse {
  readonly throttleTimeMs: number;
  readonly partitions: ProducePartitionResponse[];
}

/** The request body (what follows the request header); the same for versions 3 to 8. Partitions grouped by topic, in first-seen order. */
export function encodeProduceRequest(request: ProduceRequest): Buffer {
  const w = new Writer();
  w.nullableString(request.transactionalId ?? null);
  w.int16(request.acks);
  w.int32(request.timeoutMs);
  w.partitionsByTopic(request.partitions, (p) => {
    w.int32(p.partition);
    w.bytes(p.records);
  });
  return w.done();
}

/** Decode a Produce response body (what follows the correlation id) of `version`. */
export function decodeProduceResponse(body: Buffer, version: ProduceVersion): ProduceResponse {
  const r = new BodyReader(body, `produce v${version} response`);
  const partitions: ProducePartitionResponse[] = [];
  r.partitionsByTopic((topic) => {
    const partition = r.int32();
    const errorCode = r.int16();
    const baseOffset = r.int64();
    const logAppendTimeMs = r.int64();
    const logStartOffset = r.int64();
    const recordErrors: Array<{ batchIndex: number; message: string | null }> = [];
    let errorMessage: string | null = null;
    if (version >= 8) {
      for (let e = r.int32(); e > 0; e--) recordErrors.push({ batchIndex: r.int32(), message: r.nullableString() });
      errorMessage = r.nullableString();
    }
    partitions.push({ topic, partition, errorCode, baseOffset, logAppendTimeMs, logStartOffset, recordErrors, errorMessage });
  });
  const throttleTimeMs = r.int32();
  return { throttleTimeMs, partitions };
}
