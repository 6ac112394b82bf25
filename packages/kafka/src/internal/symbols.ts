/** Private keys the Kafka layer's modules share; never exported from the package. */

/** A KafkaClient's kafkajs client. */
export const kKafkajs = Symbol('tributary.kafka.kafkajs');

/** On a GroupMetadata the membership hands out: tells it the coordinator fenced a transaction sent with it. */
export const kGenerationFenced = Symbol('tributary.kafka.generationFenced');
