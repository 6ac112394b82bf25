/**
 * @tributary/commands: command messages with a typed registry and chaining (seed 000, Scale), and channels,
 * groups and signalling (seed 001, Django Message Broker), on Kafka.
 */
export { CommandMessage, type CommandContext, type CommandMessageClass } from './message/command-message.js';
export { MessageRegistry, UnknownMessageTypeError } from './message/message-registry.js';
export { EchoCommandMessage, ChainCommandMessage, FailCommandMessage, addBuiltinMessageTypes } from './builtins/builtins.js';
export { commandEvent, commandEnvelope, followUpId, CommandHeaders, COMMAND_CATEGORY, type CommandEnvelope } from './envelope/command-envelope.js';
export { CommandProcessor, CommandFailedError, type CommandProcessorCounters } from './processor/command-processor.js';
export type { CommandProcessorOptions } from './processor/options.js';
export { CommandSender, type CommandSenderOptions, type SentCommand } from './sending/command-sender.js';
export { MemoryDedupeStore, type DedupeStore, type MemoryDedupeStoreOptions } from './dedupe/dedupe-store.js';
export { KafkaDedupeStore, type KafkaDedupeStoreOptions } from './dedupe/kafka-dedupe-store.js';
