/**
 * @tributary/test-kit: a real Apache Kafka for tests, demos and benchmarks, on machines with or without Docker.
 * `provideKafka()` picks KAFKA_BROKERS, testcontainers or the JVM launcher; `startKafkaCluster()` is the
 * launcher itself (one node or three, with per-node kill, pause, resume and restart; one node can also open
 * SASL and TLS listeners). `writeJavaCorpus()` writes records with Kafka's own Java clients and returns what a
 * correct reader must see.
 *
 * @module @tributary/test-kit
 */
export { KafkaRuntimeError, type KafkaRuntimeReason } from './errors.js';
export { startKafkaCluster, type KafkaCluster, type KafkaClusterOptions, type SecuredKafkaCluster } from './runtime/cluster.js';
export type { KafkaSecurity, SecuredUsers, SecuredUser } from './runtime/security.js';
export { KafkaNode, type NodeStats } from './runtime/kafka-node.js';
export { ensureKafkaJars, KAFKA_POM, type KafkaJars, type EnsureKafkaJarsOptions } from './runtime/jars.js';
export { findJava, type JavaRuntime } from './runtime/java.js';
export { freePort } from './runtime/ports.js';
export { describeMachine } from './runtime/machine.js';
export { liveProcessCount } from './runtime/process-registry.js';
export { provideKafka, KAFKA_IMAGE, type KafkaEndpoint, type KafkaSource, type ProvideKafkaOptions } from './select.js';
export { randomTopic, randomGroup, testClient, createTopics, waitFor, type TestTopic } from './helpers.js';
export { writeJavaCorpus, type WriteJavaCorpusOptions } from './java/corpus.js';
export type { CorpusManifest, CorpusTopic, CorpusRecord, CorpusBatch, CorpusCodec, CorpusScenario, CorpusWriterKind } from './java/corpus-manifest.js';
export { readWithConsoleConsumer, type ConsoleConsumerOptions, type ConsoleConsumerResult } from './java/console-consumer.js';
export { writeWithConsoleProducer, type ConsoleProducerOptions, type ConsoleRecord } from './java/console-producer.js';
