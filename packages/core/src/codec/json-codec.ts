import { ErrorCodes, TributaryError } from '../errors.js';
import type { Codec, CodecContext } from './codec.js';

/**
 * JSON payloads, UTF-8. Synchronous, so the producer's hot path never waits on a promise.
 * A payload JSON cannot represent (a BigInt, a cycle, a function or `undefined` at the top) fails with
 * ENCODE_FAILED instead of being written as something else.
 */
export class JsonCodec implements Codec {
  readonly name = 'json';

  encode(payload: unknown, context: CodecContext): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(payload);
    } catch (cause) {
      throw encodeError(context, (cause as Error).message, cause);
    }
    if (text === undefined) throw encodeError(context, `JSON has no form for ${typeof payload}`);
    return Buffer.from(text, 'utf8');
  }

  decode(bytes: Buffer, context: CodecContext): unknown {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (cause) {
      throw new TributaryError(ErrorCodes.DECODE_FAILED, `The payload of a "${context.category}" record in topic "${context.topic}" is not JSON: ${(cause as Error).message}`, {
        cause,
        context: { codec: 'json', topic: context.topic, category: context.category, bytes: bytes.length },
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

/** The shared JSON codec: stateless, so one instance serves every topic. */
export const jsonCodec = new JsonCodec();
