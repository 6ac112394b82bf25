/**
 * @tributary/producer-plugins: the built-in producer plugins (kafka on kafkajs, memory, file), the Kafka topic
 * helpers they share with the consumer, and the group-less Kafka reading the consumer builds on (KafkaFetcher:
 * Fetch requests on kafkajs' connections, decoded by decodeRecordBatches).
 */
import { registerBuiltinProducerPlugin } from '@tributary/core';

export { ensureTopics, waitForTopicLeaders, type TopicSpec, type EnsureTopicsResult } from './kafka/topics.js';
export { useCompression, registerAllCompressionCodecs, COMPRESSION_NAMES, type CompressionName } from './kafka/compression.js';
export { KafkaProducerPlugin, type KafkaProducerSettings, type KafkaProducerSettingsInput } from './kafka/kafka-producer-plugin.js';
export { kafkaSettingsShape } from './kafka/settings.js';
export { readToEnd, type ReadRecord } from './kafka/read-to-end.js';
export { KafkaFetcher, type FetchedRecord, type FetchResult, type FetchOptions, type PartitionFetch, type PartitionFetchRequest } from './kafka/fetcher.js';
export { decodeRecordBatches, RecordBatchFormatError, type DecodedRecord, type DecodedBatches, type AbortedTransaction, type Decompress } from './kafka/record-batch.js';
export { KafkaSchemaLog, type KafkaSchemaLogOptions } from './kafka/schema-log.js';

// The in-process bus and the memory and file plugins.
export { murmur2, partitionForKey } from './partition/partitioner.js';
export { MemoryBus, type MemoryBusOptions } from './memory/memory-bus.js';
export {
  MemoryProducerPlugin,
  memoryProducerSettingsSchema,
  type MemoryProducerSettings,
  type MemoryProducerPluginOptions,
} from './memory/memory-producer-plugin.js';
export { FileLog, type FileLogOptions } from './file/file-log.js';
export { encodeLine, decodeLine, type LogLine, type LineBytes } from './file/line-format.js';
export { FileProducerPlugin, fileProducerSettingsSchema, type FileProducerSettings } from './file/file-producer-plugin.js';

// Built-in plugins, loadable by name with `loadProducerPlugin({ plugin: 'memory' | 'file' | 'kafka', ... })`.
// Registration is lazy: a plugin's module is imported only when it is first loaded.
registerBuiltinProducerPlugin('memory', async () => (await import('./memory/memory-producer-plugin.js')).MemoryProducerPlugin);
registerBuiltinProducerPlugin('file', async () => (await import('./file/file-producer-plugin.js')).FileProducerPlugin);
registerBuiltinProducerPlugin('kafka', async () => (await import('./kafka/kafka-producer-plugin.js')).KafkaProducerPlugin);
