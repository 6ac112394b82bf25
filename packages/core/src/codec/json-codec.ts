import { isAscii, isUtf8 } from 'node:buffer';
import { ErrorCodes, TributaryError } from '../errors.js';
import type { Codec, CodecContext } from './codec.js';

/**
 * The text of UTF-8 bytes. Strict: bytes that are not UTF-8 are not JSON (RFC 8259, section 8.1), rather than
 * text with U+FFFD in it. Most payloads are ASCII, which reads as Latin-1 byte for byte: checking that and copying
 * costs a third less than a fatal TextDecoder, a tenth of a JSON payload's decoding.
 */
function utf8Text(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  if (isUtf8(bytes)) return bytes.toString('utf8');
  throw new TypeError('the bytes are not valid UTF-8');
}

/**
 * JSON payloads in UTF-8 (RFC 8259), by `JSON.stringify` and `JSON.parse`. Synchronous and stateless, so the
 * producer's hot path never waits and one instance ({@link jsonCodec}) serves every topic.
 *
 * Encoding fails with ENCODE_FAILED, naming the category, the topic and JSON's reason, when the payload has
 * no JSON form: a BigInt anywhere, a cycle, or a payload that is `undefined`, a function or a symbol. Inside
 * objects JSON's own rules apply: properties that are `undefined` or functions are left out, `NaN` and
 * `Infinity` become `null`, and `toJSON()` is honoured (a Date becomes its ISO text).
 *
 * Decoding fails with DECODE_FAILED when the bytes are not UTF-8 or not JSON.
 */
export class JsonCodec implements Codec {
  readonly name = 'json';

  /** @throws TributaryError ENCODE_FAILED when the payload has no JSON form. */
  encode(payload: unknown, context: CodecContext): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(payload);
    } catch (cause) {
      throw encodeError(context, (cause as Error).message, cause);
    }
    if (text === undefined) throw encodeError(context, `JSON has no form for a payload that is ${typeof payload === 'undefined' ? 'undefined' : `a ${typeof payload}`}`);
    return Buffer.from(text, 'utf8');
  }

  /** @throws TributaryError DECODE_FAILED when the bytes are not UTF-8 JSON. */
  decode(bytes: Buffer, context: CodecContext): unknown {
    try {
      return JSON.parse(utf8Text(bytes));
    } catch (cause) {
      throw new TributaryError(ErrorCodes.DECODE_FAILED, `The payload of a "${context.category}" record in topic "${context.topic}" is not UTF-8 JSON: ${(cause as Error).message}`, {
        cause,
        context: { codec: this.name, topic: context.topic, category: context.category, length: bytes.length },
      });
    }
  }
}

function encodeError(context: CodecContext, why: string, cause?: unknown): TributaryError {
  return new TributaryError(ErrorCodes.ENCODE_FAILED, `The payload of a "${context.category}" event for topic "${context.topic}" cannot be written as JSON: ${why}`, {
    cause,
    context: { codec: 'json', topic: context.topic, category: context.category },
  });
}

/** The shared JSON codec: stateless, so one instance serves every topic. The default codec everywhere. */
export const jsonCodec = new JsonCodec();
