import type { CodecRoutes, CodecSelector } from './codec-selector.js';
import { isValidTopic } from '../offset/topic.js';
import { setting, type InferSettings, type SettingsInput } from './settings-schema.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** The default of `maxEventBytes`: 1 MiB, Kafka's default `max.message.bytes` for a record batch. */
export const DEFAULT_MAX_EVENT_BYTES = 1_048_576;

/**
 * The settings every producer plugin has, merged into its own schema:
 * - `topic`: where `send()` writes when it is not given a topic (a legal Kafka topic name);
 * - `maxEventBytes`: the largest record (key + value + headers) accepted; larger events fail with
 *   EVENT_TOO_LARGE before reaching the bus. Default 1 MiB.
 */
export const baseProducerSettingsSchema = setting.object({
  topic: setting.string().pattern(isValidTopic, 'a topic name: 1 to 249 letters, digits, ".", "_" or "-"'),
  maxEventBytes: setting.integer().min(1).default(DEFAULT_MAX_EVENT_BYTES),
});

/** The settings every producer plugin has (see {@link baseProducerSettingsSchema}). */
export type BaseProducerSettings = InferSettings<typeof baseProducerSettingsSchema>;

/** What a plugin takes besides its settings (things that are not plain data). */
export interface ProducerPluginOptions {
  /** The codec per topic or category; JSON for everything when left out. */
  codecs?: CodecSelector | CodecRoutes;
}

/** Options of one `send()` call. */
export interface SendOptions {
  /** The topic to write to instead of the `topic` setting. */
  topic?: string;
  /**
   * Aborts the call: events not yet handed to the bus are `failed`; once handed over, the plugin may stop
   * waiting and report them `unknown`.
   */
  signal?: AbortSignal;
}

/** What a user writes for a settings schema: the DSL's input type, or a Standard Schema validator's. */
type OwnSettingsInput<S> = S extends { readonly _input: infer I } ? I : S extends StandardSchemaV1 ? StandardSchemaV1.InferInput<S> : never;

/**
 * What a user writes for a plugin whose own settings schema is `S` (the DSL's or a Standard Schema validator):
 * the plugin's settings and the base ones, those with defaults optional. Plugins type their constructor's
 * settings with it.
 */
export type ProducerSettingsInput<S> = OwnSettingsInput<S> & SettingsInput<typeof baseProducerSettingsSchema>;
