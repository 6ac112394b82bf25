/**
 * Where the fields of a v2 record batch (message format 2) lie, from Kafka's message format documentation:
 *
 *   baseOffset int64 (0), batchLength int32 (8), partitionLeaderEpoch int32 (12), magic int8 (16), crc uint32 (17),
 *   attributes int16 (21), lastOffsetDelta int32 (23), baseTimestamp int64 (27), maxTimestamp int64 (35),
 *   producerId int64 (43), producerEpoch int16 (51), baseSequence int32 (53), records count int32 (57), records (61)
 *
 * What the decoder (record-batch.ts) reads and the encoder (record-batch-encoder.ts) writes.
 */

export const MAGIC_V2 = 2;
/** Offset (8) + length (4): what precedes a batch's `batchLength` bytes. */
export const LOG_OVERHEAD = 12;
/** Bytes from a batch's start to its first record. */
export const RECORDS_START = 61;
/** Where a batch's partitionLeaderEpoch (int32) lies: after its base offset (8), length (4). */
export const LEADER_EPOCH_OFFSET = 12;
/** Where the CRC field lies, and where the bytes it covers begin (the attributes). */
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
/** Attribute bits: the compression codec (low three), append time, transactional, control. */
export const COMPRESSION_MASK = 0x07;
export const LOG_APPEND_TIME = 0x08;
export const TRANSACTIONAL = 0x10;
export const CONTROL = 0x20;
