/**
 * @tributary/core: the event model, positions, codecs and the producer-plugin contract.
 * Core knows no Kafka client; plugins and the consumer depend on it, never the reverse.
 */
export { ErrorCodes, TributaryError, InvalidArgumentError, isTributaryError, type ErrorCode, type TributaryErrorOptions } from './errors.js';
export { EventHeaders, RESERVED_HEADER_PREFIX, type EventRecord } from './envelope/record.js';
export type { Codec, CodecContext } from './codec/codec.js';
