/**
 * @tributary/producer-plugins: the built-in producer plugins: kafka (on the Kafka layer, @tributary/kafka),
 * memory (an in-process partitioned log, the test double) and file (JSON lines on disk).
 *
 * @module @tributary/producer-plugins
 */
import { registerBuiltinProducerPlugin } from '@tributary/core';

export { KafkaProducerPlugin, type KafkaProducerSettings, type KafkaProducerSettingsInput } from './kafka/kafka-producer-plugin.js';
export { kafkaSettingsShape } from './kafka/settings.js';

// The in-process bus and the memory and file plugins.
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
