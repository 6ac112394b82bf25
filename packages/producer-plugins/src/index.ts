/**
 * @tributary/producer-plugins: the built-in producer plugins (kafka on kafkajs, memory, file) and the Kafka
 * topic helpers they share with the consumer.
 */
export { ensureTopics, waitForTopicLeaders, type TopicSpec, type EnsureTopicsResult } from './kafka/topics.js';
export { useCompression, registerAllCompressionCodecs, COMPRESSION_NAMES, type CompressionName } from './kafka/compression.js';
