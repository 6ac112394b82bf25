import { ErrorCodes, PluginConfigError, PluginLoadError, PluginStateError, TributaryError, isTributaryError, quote } from '../errors.js';
import type { Event } from '../event/event.js';
import type { EventOffset } from '../offset/event-offset.js';
import { validateTopic } from '../offset/topic.js';
import { PreparationFailure, prepareRecords, type PrepareContext } from '../internal/prepare-records.js';
import { allFailed, applyOffsets, failedBeforeSend, failedDuringSend, type SendContext } from '../internal/send-result.js';
import { toCodecSelector } from './codec-selector.js';
import { baseProducerSettingsSchema, type BaseProducerSettings, type ProducerPluginOptions, type SendOptions } from './options.js';
import type { OutgoingRecord } from './outgoing-record.js';
import { ObjectSchema, parseSettings, type SettingSchema, type SettingsShape } from './settings-schema.js';
import { isStandardSchema, validateStandardSettings, type StandardSchemaV1 } from './standard-schema.js';

/** Where a plugin is in its life: `new` -> `opening` -> `open` -> `closing` -> `closed`. */
export type ProducerPluginState = 'new' | 'opening' | 'open' | 'closing' | 'closed';

/** What a plugin class tells the base: its name and its own settings schema (merged with the base settings). */
export interface ProducerPluginDefinition<Settings extends object> {
  /** The plugin's name, in errors and logs (`memory`, `file`, `kafka`, or the user's). */
  readonly name: string;
  /**
   * The plugin's own settings; `topic` and `maxEventBytes` are added (see {@link baseProducerSettingsSchema}).
   * Either the `setting` DSL's `setting.object({...})`, or any Standard Schema validator (zod, valibot,
   * arktype...) of an object: it is given the settings without `topic` and `maxEventBytes`, which the base checks,
   * and must validate synchronously. Whether unknown keys are refused is then the validator's choice (zod's
   * `z.strictObject`, valibot's `v.strictObject`); the DSL always refuses them.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly settings: (ObjectSchema<SettingsShape> & SettingSchema<Settings, any>) | StandardSchemaV1<any, Settings>;
}

/**
 * The settings of a plugin checked by its definition's schema and the base one, defaults filled in, frozen.
 * @throws PluginConfigError naming the plugin, the path, the value and what was expected.
 */
function checkSettings<Settings extends object>(definition: ProducerPluginDefinition<Settings>, input: unknown): Readonly<Settings & BaseProducerSettings> {
  const own = definition.settings;
  if (own instanceof ObjectSchema) {
    return parseSettings(baseProducerSettingsSchema.extend(own.shape), input, definition.name) as unknown as Readonly<Settings & BaseProducerSettings>;
  }
  if (!isStandardSchema(own)) {
    throw new PluginConfigError(`Plugin "${definition.name}" declares its settings with ${quote(own)}: expected setting.object({...}) or a Standard Schema validator (zod, valibot, arktype...)`, {
      plugin: definition.name,
      path: '',
      value: own,
      expected: 'a settings schema',
    });
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return parseSettings(baseProducerSettingsSchema, input, definition.name) as never;
  const { topic, maxEventBytes, ...rest } = input as Record<string, unknown>;
  const base = parseSettings(baseProducerSettingsSchema, { topic, maxEventBytes }, definition.name);
  const checked = validateStandardSettings(own, rest, definition.name);
  if (checked === null || typeof checked !== 'object' || Array.isArray(checked)) {
    throw new PluginConfigError(`The settings schema of plugin "${definition.name}" gave ${quote(checked)}: expected it to give an object of settings`, { plugin: definition.name, path: '', value: checked, expected: 'an object' });
  }
  return Object.freeze({ ...checked, ...base }) as Readonly<Settings & BaseProducerSettings>;
}

/** Marks producer plugin classes, also across two copies of this package (checked by the loader). */
export const PRODUCER_PLUGIN_BRAND: unique symbol = Symbol.for('tributary.producer-plugin');

interface Gate {
  readonly previous: Promise<void> | undefined;
  release(): void;
}

/**
 * The producer-plugin seam: what links Tributary to a message bus. A plugin subclasses it and implements
 * `_open`, `_close` and `_send`; users call `open`, `send` and `close` (or `await using`).
 *
 * The contract every plugin keeps (checked by `describeProducerPluginConformance`):
 * - **Order**: records of one `_send` call are written in order, and records of earlier `_send` calls before
 *   those of later ones, per partition; records with the same key go to the same partition. The base calls
 *   `_send` in the order `send()` was called, so events with one key keep the order of the `send()` calls.
 * - **Offsets**: `_send` resolves once every record is in the log, with one EventOffset per record, in order
 *   (or `undefined` where the bus does not report offsets). Offsets increase within a partition.
 * - **Errors**: if `_send` throws, its records are `unknown` (maybe written) unless it throws a
 *   `PartialSendError` telling each record's fate. Never report `failed` for a record that may be in the log.
 * - **Concurrency**: `_send` may be called again before an earlier call resolved.
 *
 * Do not override `send`, `open` or `close` (the constructor refuses a class that overrides `send`).
 *
 * @typeParam Settings - the plugin's own validated settings (usually `InferSettings<typeof schema>`).
 */
export abstract class ProducerPlugin<Settings extends object = Record<never, never>> implements AsyncDisposable {
  static readonly [PRODUCER_PLUGIN_BRAND] = true;

  /** The plugin's name (from its definition). */
  readonly name: string;
  /** The validated settings, defaults filled in, frozen. */
  readonly settings: Readonly<Settings & BaseProducerSettings>;

  readonly #prepare: PrepareContext;
  #state: ProducerPluginState = 'new';
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  readonly #pending = new Set<Promise<unknown>>();
  #tail: Promise<void> | undefined;

  /**
   * Validate the settings against the plugin's schema (the DSL's, or a Standard Schema validator) and the base
   * settings, filling in defaults.
   * @throws PluginConfigError naming the plugin, the dotted path of the bad setting, its value and what was expected.
   * @throws PluginLoadError (reason `not-a-plugin`) when the subclass overrides `send`.
   * @throws InvalidArgumentError when `options.codecs` holds something that is not a codec.
   */
  protected constructor(definition: ProducerPluginDefinition<Settings>, settings: unknown, options: ProducerPluginOptions = {}) {
    this.name = definition.name;
    if (this.send !== ProducerPlugin.prototype.send) {
      throw new PluginLoadError(`Plugin "${definition.name}" overrides send(); implement _send() instead`, { plugin: definition.name, reason: 'not-a-plugin' });
    }
    this.settings = checkSettings(definition, settings ?? {});
    this.#prepare = { topic: this.settings.topic, selectCodec: toCodecSelector(options.codecs), maxEventBytes: this.settings.maxEventBytes };
  }

  /** Where the plugin is in its life. */
  get state(): ProducerPluginState {
    return this.#state;
  }

  /** Connect to the bus. Open at most once: calling it again returns the same promise. */
  protected abstract _open(): Promise<void>;
  /** Disconnect from the bus. Called once, after every pending `_send` has settled; never before `_open` succeeded. */
  protected abstract _close(): Promise<void>;
  /**
   * Write records to the bus (see the class contract). `batch` is never empty; each record has a legal
   * topic and is within `maxEventBytes`. Resolve with one offset per record, in order.
   */
  protected abstract _send(batch: readonly OutgoingRecord[], signal?: AbortSignal): Promise<ReadonlyArray<EventOffset | undefined>>;

  /**
   * Open the plugin (connect to the bus). Calling it again, while opening or once open, is harmless. When
   * opening fails the plugin stays `new` and `open()` may be tried again.
   * @throws PluginStateError after `close()`.
   * @throws TributaryError from `_open`; another error is wrapped as CONNECTION (retriable), cause kept.
   */
  open(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return Promise.reject(this.#stateError('open'));
    this.#opening ??= this.#doOpen();
    return this.#opening;
  }

  async #doOpen(): Promise<void> {
    this.#state = 'opening';
    try {
      await this._open();
      if (this.#state === 'opening') this.#state = 'open';
    } catch (error) {
      if (this.#state === 'opening') this.#state = 'new';
      this.#opening = undefined;
      throw this.#wrap(error, 'open');
    }
  }

  /**
   * Close the plugin: refuse new sends, wait for every pending `send()` to settle (flush), then `_close`.
   * Calling it again returns the same promise. Closing a plugin that was never opened just marks it closed.
   * @throws TributaryError from `_close`; another error is wrapped as CONNECTION, cause kept. The plugin is
   *   closed all the same.
   */
  close(): Promise<void> {
    this.#closing ??= this.#doClose();
    return this.#closing;
  }

  async #doClose(): Promise<void> {
    const previous = this.#state;
    this.#state = 'closing';
    try {
      if (previous === 'new') return;
      if (previous === 'opening' && !(await this.#opening!.then(() => true, () => false))) return;
      while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
      await this._close();
    } catch (error) {
      throw this.#wrap(error, 'close');
    } finally {
      this.#state = 'closed';
    }
  }

  /** `await using plugin = ...` closes the plugin at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Send one event or a batch; resolves with the events given an `offset` where they were written, in order.
   * A batch goes to the bus whole or not at all: if any event is not an Event, fails to encode or is larger
   * than `maxEventBytes` (EVENT_TOO_LARGE), none is sent. Safe to call concurrently.
   * @throws PluginStateError when the plugin is not open (before `open()` resolved, or once closing).
   * @throws FailedToSendEventError (SEND_FAILED) on any other failure: its `cause` is the original error and
   *   its `outcomes` tell for each event whether it is `ok`, `failed` or `unknown` (maybe written).
   */
  send<P>(event: Event<P>, options?: SendOptions): Promise<Event<P>>;
  send<P>(events: readonly Event<P>[], options?: SendOptions): Promise<Event<P>[]>;
  send(input: Event | readonly Event[], options: SendOptions = {}): Promise<Event | Event[]> {
    if (this.#state !== 'open') return Promise.reject(this.#stateError('send'));
    const single = !Array.isArray(input);
    const events: Event[] = single ? [input as Event] : [...(input as readonly Event[])];
    const sending = this.#sendBatch(events, options);
    this.#pending.add(sending);
    const done = (): void => void this.#pending.delete(sending);
    sending.then(done, done);
    return single ? sending.then((sent) => sent[0]!) : sending;
  }

  #sendBatch(events: Event[], options: SendOptions): Promise<Event[]> {
    const topic = options.topic ?? this.#prepare.topic;
    const ctx: SendContext = { plugin: this.name, topic };
    if (events.length === 0) return Promise.resolve([]);
    let prepared: OutgoingRecord[] | Promise<OutgoingRecord[]>;
    try {
      prepared = prepareRecords(events, topic === this.#prepare.topic ? this.#prepare : { ...this.#prepare, topic: validateTopic(topic) });
    } catch (error) {
      return Promise.reject(error instanceof PreparationFailure ? failedBeforeSend(events, error.errors, ctx) : allFailed(events, error, ctx));
    }
    // The fast path: encoded synchronously and no earlier send waiting, so hand over at once, in call order.
    if (!(prepared instanceof Promise) && this.#tail === undefined) return this.#handOver(prepared, options.signal, ctx);
    const gate = this.#enterGate();
    return this.#waitThenHandOver(events, prepared, gate, options.signal, ctx);
  }

  async #waitThenHandOver(events: Event[], prepared: OutgoingRecord[] | Promise<OutgoingRecord[]>, gate: Gate, signal: AbortSignal | undefined, ctx: SendContext): Promise<Event[]> {
    let records: OutgoingRecord[];
    try {
      records = await prepared;
      await gate.previous;
    } catch (error) {
      gate.release();
      throw error instanceof PreparationFailure ? failedBeforeSend(events, error.errors, ctx) : allFailed(events, error, ctx);
    }
    return this.#handOver(records, signal, ctx, gate);
  }

  /**
   * Call `_send` (synchronously, so calls keep their order), then let the next send through the gate. Not async,
   * so that nothing holds the records while `_send` runs (an async function keeps its parameters until it ends): a
   * plugin that encodes records as they come (the kafka plugin) lets them go at once.
   */
  #handOver(records: OutgoingRecord[], signal: AbortSignal | undefined, ctx: SendContext, gate?: Gate): Promise<Event[]> {
    const events = records.map((r) => r.event);
    try {
      if (signal?.aborted) throw new TributaryError(ErrorCodes.ABORTED, 'send() was aborted before the events reached the bus', { cause: signal.reason });
      if (this.#state !== 'open' && this.#state !== 'closing') throw this.#stateError('send');
    } catch (error) {
      gate?.release();
      return Promise.reject(allFailed(events, error, ctx));
    }
    let sending: Promise<ReadonlyArray<EventOffset | undefined>>;
    try {
      sending = this._send(records, signal);
    } catch (error) {
      sending = Promise.reject(error);
    } finally {
      gate?.release();
    }
    return settled(events, sending, ctx);
  }

  #enterGate(): Gate {
    const previous = this.#tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#tail = mine;
    return {
      previous,
      release: () => {
        release();
        if (this.#tail === mine) this.#tail = undefined;
      },
    };
  }

  #stateError(operation: string): PluginStateError {
    const why = this.#state === 'new' || this.#state === 'opening' ? 'is not open yet (await open() first)' : 'is closed';
    return new PluginStateError(`Cannot ${operation}: producer plugin "${this.name}" ${why}`, { plugin: this.name, state: this.#state, operation });
  }

  #wrap(error: unknown, operation: 'open' | 'close'): unknown {
    if (isTributaryError(error)) return error;
    return new TributaryError(ErrorCodes.CONNECTION, `Producer plugin "${this.name}" failed to ${operation}: ${(error as Error)?.message ?? String(error)}`, {
      retriable: true,
      context: { plugin: this.name, operation },
      cause: error,
    });
  }
}

/** The events with the offsets `_send` gave them, or the error that tells each event's fate. */
async function settled(events: Event[], sending: Promise<ReadonlyArray<EventOffset | undefined>>, ctx: SendContext): Promise<Event[]> {
  let offsets: unknown;
  try {
    offsets = await sending;
  } catch (error) {
    throw failedDuringSend(events, error, ctx);
  }
  return applyOffsets(events, offsets, ctx);
}
