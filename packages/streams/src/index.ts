/**
 * @tributary/streams: keyed message streams on Kafka (seed 004, park's msgstream). Publish a stream's header (its
 * current status) and its messages; a listener receives the header first, then every message put after it, in
 * order, with no gap and no duplicate, until the stream closes. History is durable: resume from a stored
 * position and learn whether the history after it is complete.
 */
export { Streams, createStreams } from './streams.js';
export type { StreamsOptions } from './options.js';
export { ensureStreamTopics, streamTopics, DEFAULT_STREAMS_PREFIX, DEFAULT_STREAM_PARTITIONS, type StreamTopics, type EnsureStreamTopicsOptions } from './topics.js';
export type { StreamService, StreamListener, StreamDelivery, StreamPosition, ListenOptions, ListenFrom, StreamSubscription, StreamCodec } from './stream-service.js';
export { InvalidStreamNameError, StreamCodecError } from './errors.js';
export { MemoryLogTransport, KafkaLogTransport, type LogTransport } from '@tributary/kafka';
