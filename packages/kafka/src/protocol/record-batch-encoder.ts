/**
 * Encoding of Kafka's v2 record batches (message format 2), the other side of record-batch.ts: what a Produce
 * request carries per partition, laid out as Kafka's message format documentation gives it (record-batch-layout.ts).
 * "The CRC covers the data from the attributes to the end of the batch"; each record is a zig-zag varint length,
 * then attributes int8, timestampDelta varlong, offsetDelta varint, key and value as varint-length bytes (-1 for
 * null), and headers as a varint count of (varint-length name, varint-length value, -1 for null).
 *
 * Written for the producer's hot path: each record is encoded into its batch's bytes as it is appended
 * (RecordBatchBuilder), its size counted first so it is written in one pass, with header names encoded once per
 * distinct name. Defaults are those of Kafka's Java producer (MemoryRecordsBuilder):
 * the batch's base timestamp is its first record's, and a batch that no idempotent producer wrote carries
 * producer id -1, epoch -1 and sequence -1.
 */
import { crc32c } from './crc32c.js';
import { RecordBatchBuilder, type EncodeRecordBatchOptions, type RecordToEncode } from './record-batch-builder.js';
import { ATTRIBUTES_OFFSET, CRC_OFFSET } from './record-batch-layout.js';

export { RecordBatchBuilder, type Compress, type EncodeRecordBatchOptions, type RecordToEncode } from './record-batch-builder.js';

/**
 * Encode `records` as one v2 record batch, its CRC-32C included, with its records compressed as
 * `options.compression` says.
 * @throws RangeError naming the record when there are no records, a timestamp is not an integer number of
 *   milliseconds, or the batch would not fit Kafka's int32 lengths; Error from the codec when compression fails.
 */
export async function encodeRecordBatch(records: readonly RecordToEncode[], options: EncodeRecordBatchOptions = {}): Promise<Buffer> {
  const builder = new RecordBatchBuilder();
  for (let i = 0; i < records.length; i++) {
    try {
      builder.append(records[i]!);
    } catch (error) {
      throw error instanceof RangeError ? new RangeError(`record ${i} ${error.message}`) : error;
    }
  }
  return builder.build(options);
}

/** The producer fields of a batch's header (producer id int64 at 43, epoch int16 at 51, base sequence int32 at 53). */
export interface BatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/**
 * A copy of an encoded batch under another producer epoch and base sequence, its CRC computed again (the CRC
 * covers the producer fields): what an idempotent producer sends when it starts a partition's sequence over
 * after a bumped epoch, for batches the broker certainly did not append.
 */
export function restampRecordBatch(batch: Buffer, producer: BatchProducer): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(producer.producerId, 43);
  copy.writeInt16BE(producer.producerEpoch, 51);
  copy.writeInt32BE(producer.baseSequence, 53);
  copy.writeUInt32BE(crc32c(copy, ATTRIBUTES_OFFSET), CRC_OFFSET);
  return copy;
}
