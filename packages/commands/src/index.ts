/**
 * @tributary/commands: command messages with a typed registry and chaining (seed 000, Scale), and channels,
 * groups and signalling (seed 001, Django Message Broker), on Kafka.
 *
 * @module @tributary/commands
 */
export { CommandMessage, type CommandContext, type CommandMessageClass } from './message/command-message.js';
export { MessageRegistry } from './message/message-registry.js';
export { EchoCommandMessage, ChainCommandMessage, FailCommandMessage, addBuiltinMessageTypes } from './builtins/builtins.js';
export { commandEvent, commandEnvelope, followUpId, CommandHeaders, COMMAND_CATEGORY, type CommandEnvelope } from './envelope/command-envelope.js';
export { CommandProcessor, type CommandProcessorCounters } from './processor/command-processor.js';
export type { CommandProcessorOptions } from './processor/options.js';
export { CommandSender, type CommandSenderOptions, type SentCommand } from './sending/command-sender.js';
export { MemoryDedupeStore, type DedupeStore, type MemoryDedupeStoreOptions } from './dedupe/dedupe-store.js';
export { KafkaDedupeStore, type KafkaDedupeStoreOptions } from './dedupe/kafka-dedupe-store.js';
// Channels and groups (seed 001): the channel layer Django Channels applications use, on Kafka.
export { ChannelLayer, createChannelLayer, type SendOptions, type ReceiveOptions, type GroupSendResult, type ChannelLayerStats } from './channels/channel-layer.js';
export type { ChannelLayerOptions } from './channels/options.js';
export type { HubOptions, OwnHubOptions } from './channels/hub.js';
export type { ChannelMessage } from './channels/channel-buffer.js';
export { ensureChannelTopics, channelTopics, DEFAULT_CHANNELS_PREFIX, DEFAULT_GROUP_PARTITIONS, DEFAULT_GROUP_EXPIRY_SECONDS, type ChannelTopics, type EnsureChannelTopicsOptions } from './channels/topics.js';
// Signalling (seed 001): commands between clients and a server, each answered COMPLETE or EXCEPTION.
export { SignallingServer, openSignallingServer, type SignallingClientInfo } from './signalling/signalling-server.js';
export { SignallingClient, openSignallingClient, type CommandOptions, type ClientCommand } from './signalling/signalling-client.js';
export { DEFAULT_SIGNALLING_PATH, type SignallingServerOptions, type SignallingClientOptions, type KeepaliveOptions } from './signalling/options.js';
export { SignallingCommands, type SignallingCommand, type SignallingMessage } from './signalling/signalling-message.js';
export type { PerformanceReport, ComponentPerformance, LatencyPercentiles } from './signalling/performance.js';
export type { PeerLostEvent, PeerLostListener, PeerLostReason } from './signalling/peer-watch.js';
export { UnknownMessageTypeError, CommandFailedError, InvalidChannelNameError, ChannelFullError, ChannelNotFoundError, MessageExpiredError, ChannelLayerClosedError, SignallingCommandError, type ChannelNotFoundReason } from './errors.js';
