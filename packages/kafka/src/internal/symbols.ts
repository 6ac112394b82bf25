/** Private keys the Kafka layer's modules share; never exported from the package. */

/** A KafkaClient's kafkajs client. */
export const kKafkajs = Symbol('tributary.kafka.kafkajs');
