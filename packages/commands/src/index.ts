/**
 * @tributary/commands: command messages with a typed registry and chaining (seed 000, Scale), and channels,
 * groups and signalling (seed 001, Django Message Broker), on Kafka.
 */
export {};
