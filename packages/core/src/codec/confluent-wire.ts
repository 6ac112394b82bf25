import { ErrorCodes, TributaryError } from '../errors.js';

/**
 * The Confluent wire format, so Confluent's tools and deserializers can read Tributary's Avro records:
 * "byte 0: magic byte, always 0; bytes 1-4: the schema id as returned by the schema registry, 4-byte
 * big-endian; bytes 5..: the serialized data" (Confluent Schema Registry docs, "Wire format").
 */
export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_BYTES = 5;

/** Prefix `payload` with the magic byte and the schema id. */
export function frameConfluent(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + payload.length);
  out[0] = CONFLUENT_MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  payload.copy(out, CONFLUENT_HEADER_BYTES);
  return out;
}

/**
 * Split a framed record into its schema id and payload (a view, not a copy).
 * @throws TributaryError DECODE_FAILED when the bytes are too short or the magic byte is not 0.
 */
export function unframeConfluent(bytes: Buffer): { schemaId: number; payload: Buffer } {
  if (bytes.length < CONFLUENT_HEADER_BYTES || bytes[0] !== CONFLUENT_MAGIC_BYTE) {
    const why = bytes.length < CONFLUENT_HEADER_BYTES ? `only ${bytes.length} byte(s)` : `magic byte ${bytes[0]}`;
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `Not a Confluent-framed Avro record (${why}; expected magic byte 0 and a 4-byte schema id)`, {
      context: { length: bytes.length, magic: bytes[0] },
    });
  }
  return { schemaId: bytes.readUInt32BE(1), payload: bytes.subarray(CONFLUENT_HEADER_BYTES) };
}
