/**
 * @tributary/streams: keyed message streams on Kafka (seed 004, park's msgstream). Publish a stream's header (its
 * current status) and its messages; a listener receives the header first, then every message put after it, in
 * order, with no gap and no duplicate, until the stream closes. History is durable: resume from a stored
 * position and learn whether the history after it is complete.
 *
 * @module @tributary/streams
 */
export { Streams, createStreams } from './streams.js';
export type { StreamsOptions } from './options.js';
export { ensureStreamTopics, streamTopics, DEFAULT_STREAMS_PREFIX, DEFAULT_STREAM_PARTITIONS, type StreamTopics, type EnsureStreamTopicsOptions } from './topics.js';
export type { StreamService, StreamListener, StreamDelivery, StreamPosition, ListenOptions, ListenFrom, StreamSubscription, StreamCodec } from './stream-service.js';
export { InvalidStreamNameError, StreamCodecError, RemoteStreamError } from './errors.js';
// The seed's codec: base types as JSON, registered classes as { ".class", ".version", ".state" }.
export { ClassRegistry, type ClassRegistration, type RegisteredClass, type MessageClass } from './codec/class-registry.js';
export { JsonStreamCodec, type JsonStreamCodecOptions, type JsonValueCodec } from './codec/json-stream-codec.js';
export { UnknownClassObject } from './codec/unknown-class-object.js';
export type { UnknownClasses } from './codec/json-tree.js';
export { streamCodecFrom, DEFAULT_STREAM_CATEGORY, type StreamCodecFromOptions } from './codec/stream-codec-adapter.js';
// The JSON-lines gateway and its client.
export { StreamGateway, createStreamGateway, type GatewayAddress } from './gateway/stream-gateway.js';
export { DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_QUEUED_BYTES, type StreamGatewayOptions, type RemoteStreamOptions } from './gateway/options.js';
export { RemoteStream } from './gateway/remote-stream.js';
export type { RemoteSubscription } from './gateway/remote-subscription.js';
export { isValidStreamName } from './stream-name.js';
export { GATEWAY_ACTIONS, GatewayErrorReasons, type GatewayAction, type GatewayErrorReason, type GatewayRequest, type RequestId, type WireError } from './gateway/wire.js';
export { MemoryLogTransport, KafkaLogTransport, type LogTransport } from '@tributary/kafka';
