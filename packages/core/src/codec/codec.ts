/**
 * A codec turns an event payload into bytes and back. Codecs are pure: the same payload and schema give the
 * same bytes, and no codec does IO on its hot path (a schema registry lookup is cached after the first use).
 */
export interface CodecContext {
  /** The topic (or bus stream) the record is written to or read from. */
  topic: string;
  /** The event's category. */
  category: string;
}

export interface Codec {
  /** The name written to each record's `tributary-codec` header, such as `json` or `avro`. */
  readonly name: string;
  /**
   * Encode a payload. Returns a Buffer synchronously when it can (the fast path), or a Promise when it must
   * first reach a schema registry. Throws/rejects a TributaryError with code ENCODE_FAILED on bad input.
   */
  encode(payload: unknown, context: CodecContext): Buffer | Promise<Buffer>;
  /**
   * Decode bytes written by this codec. Throws/rejects a TributaryError with code DECODE_FAILED (malformed
   * bytes, unknown schema id) or SCHEMA_INCOMPATIBLE (the writer schema cannot be resolved to the reader's).
   */
  decode(bytes: Buffer, context: CodecContext): unknown | Promise<unknown>;
}
