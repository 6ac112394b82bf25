/**
 * @tributary/kafka: Tributary's one Kafka layer, and the only door to kafkajs. Everything that reaches Kafka
 * builds on it:
 * - {@link KafkaClient} from {@link KafkaConnectionOptions} (brokers, client id, TLS, SASL, timeouts): the one
 *   option set every component takes;
 * - {@link KafkaReader}: group-less reads of any partition from any offset, decoding every record batch any Kafka
 *   client writes (all compressions, transactions, CRC32C checked); {@link readToEnd} on top of it;
 * - {@link KafkaWriter}: records to partitions with exact offsets and exact outcomes (`failed` only when nothing
 *   can have been appended);
 * - {@link KafkaAdmin}: topics, offsets, group commits, lag; {@link GroupMembership}: a consumer group member's
 *   place in its group; {@link KafkaSchemaLog}: the schema registry's log.
 * Nothing here knows Tributary's events: records are bytes, keys and headers.
 *
 * @module @tributary/kafka
 */
export { KafkaClient, type ClientDefaults, type KafkaClientOptions } from './connection/kafka-client.js';
export { resolveConnectionOptions, type KafkaConnectionOptions, type ResolvedConnectionOptions, type TlsOptions, type SaslOptions } from './connection/options.js';
export { asTributaryError, brokerErrorKind, type BrokerErrorKind } from './errors.js';
// Reading.
export {
  KafkaReader,
  type KafkaReaderOptions,
  type FetchedRecord,
  type FetchResult,
  type FetchOptions,
  type PartitionFetch,
  type PartitionFetchRequest,
} from './reader/kafka-reader.js';
export { readToEnd, type ReadRecord } from './reader/read-to-end.js';
export { decodeRecordBatches, RecordBatchFormatError, type DecodedRecord, type DecodedBatches, type AbortedTransaction, type UndecodableBatch } from './protocol/record-batch.js';
// Writing.
export { KafkaWriter, type KafkaWriterOptions, type RecordToWrite, type WritableRecord, type WriteResult } from './producer/writer.js';
export type { WriteOutcome } from './producer/outcome.js';
export { COMPRESSION_NAMES, type CompressionName } from './producer/compression.js';
export { murmur2, partitionForKey } from './producer/partitioner.js';
export { encodeRecordBatch, type RecordToEncode, type EncodeRecordBatchOptions } from './protocol/record-batch-encoder.js';
// Topics, offsets and groups.
export { KafkaAdmin, type GroupDescription, type GroupListing, type ClusterDescription, type PartitionDescription } from './admin/kafka-admin.js';
export type { GroupCommit, ReadGroupCommitsOptions } from './admin/group-offsets.js';
export { COMPACTED_TOPIC_CONFIGS, ensureTopics } from './admin/ensure-topics.js';
export type { TopicSpec, EnsureTopicsResult } from './admin/topics.js';
export type { OffsetLookup, PartitionRange } from './admin/offset-lookup.js';
export type { PartitionLag } from './admin/lag.js';
export { partitionKey, fromPartitionKey, partitionName, type TopicPartition } from './admin/topic-partition.js';
export { GroupMembership, type GroupMembershipOptions, type GroupMetadata, type MembershipListener } from './group/group-membership.js';
export type { OffsetWithEpoch } from './group/group-commit.js';
export { KafkaSchemaLog, type KafkaSchemaLogOptions } from './schema/schema-log.js';
// Transactions: records and group offsets committed together (exactly-once read-process-write).
export { KafkaTransactionalWriter, type KafkaTransactionalWriterOptions, type TransactionalRecord, type TransactionalOffsets } from './transactions/transactional-writer.js';
export type { TransactionInDoubt, TransactionOutcome } from './transactions/transaction-outcome.js';
// A partitioned log for capabilities that keep their state in topics (messaging, streams), on Kafka or in memory.
export type { LogTransport, LogConnection, LogReader, LogRecord, StoredLogRecord, PartitionRead } from './log/log-transport.js';
export { KafkaLogTransport } from './log/kafka-log-transport.js';
export { MemoryLogTransport, type MemoryLogTransportOptions } from './log/memory-log-transport.js';
export { PartitionTail, type PartitionTailOptions } from './log/partition-tail.js';
// Logging.
export { silentLogger, stderrLogger, isLogger, messageOf, type Logger } from './logging/logger.js';
