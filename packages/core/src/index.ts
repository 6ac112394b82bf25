/**
 * @tributary/core: the event model, positions, codecs and the producer-plugin contract.
 * Core knows no Kafka client; plugins and the consumer depend on it, never the reverse.
 *
 * @module @tributary/core
 */
export { ErrorCodes, TributaryError, InvalidArgumentError, isTributaryError, type ErrorCode, type TributaryErrorOptions } from './errors.js';
export { EventHeaders, RESERVED_HEADER_PREFIX, type EventRecord } from './envelope/record.js';
export type { Codec, CodecContext } from './codec/codec.js';
// Errors of the producer-plugin seam (appended to the error family in errors.ts).
export {
  quote,
  PluginConfigError,
  PluginLoadError,
  PluginStateError,
  EventTooLargeError,
  FailedToSendEventError,
  PartialSendError,
  type PluginLoadReason,
} from './errors.js';
// Events.
export { Event, type EventInit, type EventJson } from './event/event.js';
export { validateCategory, isValidCategory } from './event/category.js';
export { toTimestamp, type TimestampInput } from './event/timestamp.js';
export { SECRET_MASK, toPrintableValue, type PrintableOptions } from './event/printable.js';
// Offsets and positions.
export { EventOffset, MAX_OFFSET } from './offset/event-offset.js';
export { Position, type PositionEntry } from './offset/position.js';
export { validateTopic, isValidTopic, isValidPartition } from './offset/topic.js';
export type { StoredRecord } from './offset/stored-record.js';
// Producer plugins.
export { ProducerPlugin, PRODUCER_PLUGIN_BRAND, type ProducerPluginDefinition, type ProducerPluginState } from './plugin/producer-plugin.js';
export {
  baseProducerSettingsSchema,
  DEFAULT_MAX_EVENT_BYTES,
  type BaseProducerSettings,
  type ProducerSettingsInput,
  type ProducerPluginOptions,
  type SendOptions,
} from './plugin/options.js';
export { recordSize, type OutgoingRecord } from './plugin/outgoing-record.js';
export type { SendStatus, SendOutcome, RecordOutcome } from './plugin/send-outcome.js';
export { createCodecSelector, toCodecSelector, type CodecSelector, type CodecRoutes } from './plugin/codec-selector.js';
export {
  setting,
  parseSettings,
  SettingSchema,
  StringSchema,
  NumberSchema,
  BooleanSchema,
  EnumSchema,
  ArraySchema,
  ObjectSchema,
  type InferSettings,
  type SettingsInput,
  type SettingsShape,
} from './plugin/settings-schema.js';
export { isStandardSchema, type StandardSchemaV1 } from './plugin/standard-schema.js';
export {
  loadProducerPlugin,
  registerBuiltinProducerPlugin,
  builtinProducerPluginNames,
  PLUGIN_CLASSNAME_EXPORT,
  type LoadProducerPluginOptions,
  type ProducerPluginClass,
} from './plugin/loader.js';
// Codecs and the record envelope.
export { JsonCodec, jsonCodec } from './codec/json-codec.js';
export { createCodecLookup, type CodecLookup } from './codec/codec-lookup.js';
export { encodeEvent } from './envelope/encode.js';
export { decodeEvent, readCategory } from './envelope/decode.js';
export { AvroCodec, type AvroCodecOptions, type SubjectStrategy, type AvroSchema } from './codec/avro-codec.js';
export { frameConfluent, unframeConfluent, readConfluentSchemaId, writeConfluentHeader, CONFLUENT_MAGIC_BYTE, CONFLUENT_HEADER_BYTES, MAX_SCHEMA_ID } from './codec/confluent-wire.js';
export { InMemorySchemaRegistry, schemaId, type SchemaRegistry, type RegisteredSchema } from './codec/schema-registry.js';
export { LogSchemaRegistry, InMemorySchemaLog, type SchemaLog, type SchemaLogRecord } from './codec/log-schema-registry.js';
