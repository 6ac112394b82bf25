import { ErrorCodes, InvalidArgumentError, TributaryError } from '../errors.js';

/**
 * The Confluent wire format, so Confluent's tools and deserializers can read Tributary's Avro records.
 * From the Confluent Schema Registry documentation ("Wire format"):
 *
 * | Bytes | Area       | Description                                                       |
 * |-------|------------|-------------------------------------------------------------------|
 * | 0     | Magic Byte | Confluent serialization format version number; currently always 0 |
 * | 1-4   | Schema ID  | 4-byte schema ID as returned by Schema Registry (big-endian)       |
 * | 5-... | Data       | Serialized data for the specified schema format (Avro binary)     |
 *
 * This module is pure: bytes in, bytes out.
 */
export const CONFLUENT_MAGIC_BYTE = 0;

/** The length of the frame before the Avro data: the magic byte and the 4-byte schema id. */
export const CONFLUENT_HEADER_BYTES = 5;

/** The largest schema id: Confluent's ids are Java `int`s, so ids are kept to 0..2^31-1. */
export const MAX_SCHEMA_ID = 0x7fffffff;

/** @throws InvalidArgumentError when `schemaId` is not an integer from 0 to {@link MAX_SCHEMA_ID}. */
function checkSchemaId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > MAX_SCHEMA_ID) {
    throw new InvalidArgumentError(`Invalid schema id ${String(schemaId)}: expected an integer from 0 to ${MAX_SCHEMA_ID}`, {
      value: schemaId,
      expected: 'schema id',
    });
  }
}

/**
 * Write the 5-byte frame header (magic byte 0, then `schemaId` big-endian) at the start of `target`, which
 * must have room for it. Lets an encoder write the Avro data right after it, with no second copy.
 * @throws InvalidArgumentError when `schemaId` is not an integer from 0 to {@link MAX_SCHEMA_ID}.
 */
export function writeConfluentHeader(target: Buffer, schemaId: number): void {
  checkSchemaId(schemaId);
  target[0] = CONFLUENT_MAGIC_BYTE;
  target.writeUInt32BE(schemaId, 1);
}

/**
 * Prefix `payload` with the magic byte and the schema id: a new buffer of `payload.length + 5` bytes.
 * @throws InvalidArgumentError when `schemaId` is not an integer from 0 to {@link MAX_SCHEMA_ID}.
 */
export function frameConfluent(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + payload.length);
  writeConfluentHeader(out, schemaId);
  payload.copy(out, CONFLUENT_HEADER_BYTES);
  return out;
}

/**
 * The schema id of a framed record; its data starts at {@link CONFLUENT_HEADER_BYTES}.
 * @throws TributaryError DECODE_FAILED when the bytes are shorter than the header or the magic byte is not 0
 *   (`context` holds `length` and `magicByte`).
 */
export function readConfluentSchemaId(bytes: Buffer): number {
  if (bytes.length < CONFLUENT_HEADER_BYTES || bytes[0] !== CONFLUENT_MAGIC_BYTE) {
    const why = bytes.length < CONFLUENT_HEADER_BYTES ? `it has only ${bytes.length} byte(s)` : `its magic byte is ${bytes[0]}`;
    throw new TributaryError(
      ErrorCodes.DECODE_FAILED,
      `Not a record in the Confluent wire format: ${why}, expected magic byte 0 and a 4-byte schema id before the data`,
      { context: { length: bytes.length, magicByte: bytes[0] } },
    );
  }
  return bytes.readUInt32BE(1);
}

/**
 * Split a framed record into its schema id and its data (a view of `bytes`, not a copy).
 * @throws TributaryError DECODE_FAILED as {@link readConfluentSchemaId} does.
 */
export function unframeConfluent(bytes: Buffer): { schemaId: number; payload: Buffer } {
  return { schemaId: readConfluentSchemaId(bytes), payload: bytes.subarray(CONFLUENT_HEADER_BYTES) };
}
