/**
 * Any Tributary codec (`Codec` from @tributary/core: JSON, Avro with its schema registry...) as a stream codec.
 */
import { ErrorCodes, InvalidArgumentError, TributaryError, quote, validateTopic, type Codec, type CodecContext } from '@tributary/core';
import { StreamCodecError } from '../errors.js';
import type { StreamCodec } from '../stream-service.js';

/** Options of {@link streamCodecFrom}: the context the codec is called with. */
export interface StreamCodecFromOptions {
  /** The topic the stream records live in: Avro's default subject is `<topic>-value`. */
  topic: string;
  /** The category the codec is told (Avro's `category` subject strategy uses it). Default `stream.message`. */
  category?: string;
}

/** The category stream messages are encoded under when no other is given. */
export const DEFAULT_STREAM_CATEGORY = 'stream.message';

/**
 * A {@link StreamCodec} that calls `codec` with a fixed context `{ topic, category }`. Its `name` is the
 * codec's, so records say which codec wrote them. Synchronous where the codec is (Avro after its first
 * schema registration), a Promise where it is not.
 *
 * Errors: a TributaryError from the codec (ENCODE_FAILED, DECODE_FAILED, SCHEMA_INCOMPATIBLE,
 * SCHEMA_NOT_FOUND...) passes unchanged; any other error it throws or rejects with is wrapped in a
 * {@link StreamCodecError} (ENCODE_FAILED or DECODE_FAILED, `context.codec`, `context.topic`) with it as the
 * `cause`.
 * @throws InvalidArgumentError naming `codec`, `topic` or `category` when it is not what is expected.
 */
export function streamCodecFrom(codec: Codec, options: StreamCodecFromOptions): StreamCodec {
  if (codec === null || typeof codec !== 'object' || typeof codec.encode !== 'function' || typeof codec.decode !== 'function' || typeof codec.name !== 'string') {
    throw new InvalidArgumentError(`Invalid codec ${quote(codec)}: expected a Codec with name, encode and decode`, { option: 'codec', value: codec, expected: 'Codec' });
  }
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`Invalid stream codec options ${quote(options)}: expected { topic, category? }`, { option: 'options', value: options, expected: 'StreamCodecFromOptions' });
  }
  const topic = validateTopic(options.topic);
  const category = options.category ?? DEFAULT_STREAM_CATEGORY;
  if (typeof category !== 'string' || category === '') {
    throw new InvalidArgumentError(`Invalid option "category" ${quote(category)}: expected a non-empty string`, { option: 'category', value: category, expected: 'a category' });
  }
  const context: CodecContext = Object.freeze({ topic, category });
  const wrap = (code: typeof ErrorCodes.ENCODE_FAILED | typeof ErrorCodes.DECODE_FAILED) => (cause: unknown): never => {
    if (cause instanceof TributaryError) throw cause;
    const verb = code === ErrorCodes.ENCODE_FAILED ? 'encode' : 'decode';
    throw new StreamCodecError(code, `Codec "${codec.name}" failed to ${verb} a stream message for topic "${topic}": ${(cause as Error)?.message ?? String(cause)}`, { codec: codec.name, topic }, cause);
  };
  const encodeFailed = wrap(ErrorCodes.ENCODE_FAILED);
  const decodeFailed = wrap(ErrorCodes.DECODE_FAILED);
  return {
    name: codec.name,
    encode(message: unknown): Buffer | Promise<Buffer> {
      try {
        const bytes = codec.encode(message, context);
        return bytes instanceof Promise ? bytes.catch(encodeFailed) : bytes;
      } catch (cause) {
        return encodeFailed(cause);
      }
    },
    decode(bytes: Buffer): unknown {
      try {
        const message = codec.decode(bytes, context);
        return message instanceof Promise ? message.catch(decodeFailed) : message;
      } catch (cause) {
        return decodeFailed(cause);
      }
    },
  };
}
