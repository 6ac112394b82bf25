import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ErrorCodes, PluginConfigError } from '../../src/errors.js';
import type { ProducerSettingsInput } from '../../src/plugin/options.js';
import { ProducerPlugin } from '../../src/plugin/producer-plugin.js';
import { setting } from '../../src/plugin/settings-schema.js';
import { isStandardSchema, type StandardSchemaV1 } from '../../src/plugin/standard-schema.js';

const zodSettings = z.strictObject({
  endpoint: z.url(),
  partitions: z.int().min(1).max(64).default(4),
  tls: z.object({ ca: z.string().min(1), port: z.int().min(1).max(65535) }).optional(),
  routes: z.array(z.object({ category: z.string().regex(/^[a-z.]+$/) })).default([]),
});

/** A plugin that declares its settings with zod, as a user's plugin would. */
class ZodPlugin extends ProducerPlugin<z.output<typeof zodSettings>> {
  constructor(settings: ProducerSettingsInput<typeof zodSettings> | unknown, schema: StandardSchemaV1 = zodSettings) {
    super({ name: 'zodded', settings: schema as typeof zodSettings }, settings);
  }
  protected async _open(): Promise<void> {}
  protected async _close(): Promise<void> {}
  protected async _send(): Promise<never[]> {
    return [];
  }
}

function configError(run: () => unknown): PluginConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).code).toBe(ErrorCodes.PLUGIN_CONFIG);
    return error as PluginConfigError;
  }
  throw new Error('expected the settings to be refused');
}

describe('plugin settings from a Standard Schema validator (zod)', () => {
  it("takes the validator's output, defaults included, beside the base topic and maxEventBytes, frozen", () => {
    const plugin = new ZodPlugin({ topic: 'orders', endpoint: 'https://bus.example/x', tls: { ca: 'PEM', port: 9093 } });
    expect(plugin.settings).toEqual({ topic: 'orders', maxEventBytes: 1_048_576, endpoint: 'https://bus.example/x', partitions: 4, tls: { ca: 'PEM', port: 9093 }, routes: [] });
    expect(Object.isFrozen(plugin.settings)).toBe(true);
    expectTypeOf(plugin.settings.partitions).toEqualTypeOf<number>();
    expectTypeOf(plugin.settings.topic).toEqualTypeOf<string>();
    // What a user writes: the validator's input (defaults optional) and the base settings.
    type Input = ProducerSettingsInput<typeof zodSettings>;
    expectTypeOf<Input['endpoint']>().toEqualTypeOf<string>();
    expectTypeOf<Input['partitions']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Input['topic']>().toEqualTypeOf<string>();
  });

  it('names the plugin, the dotted path, the value and what was expected, for nested and array settings', () => {
    const nested = configError(() => new ZodPlugin({ topic: 'orders', endpoint: 'https://bus.example', tls: { ca: 'PEM', port: 70000 } }));
    expect(nested.context).toMatchObject({ plugin: 'zodded', path: 'tls.port', value: 70000 });
    expect(nested.message).toMatch(/^Setting "tls\.port" of plugin "zodded" is 70000: .*65535/);
    expect(nested.context.expected).toMatch(/65535/);

    const item = configError(() => new ZodPlugin({ topic: 'orders', endpoint: 'https://bus.example', routes: [{ category: 'a.b' }, { category: 'A B' }] }));
    expect(item.context).toMatchObject({ path: 'routes[1].category', value: 'A B' });
    expect(item.message).toMatch(/^Setting "routes\[1\]\.category" of plugin "zodded" is "A B": /);
  });

  it('says a required setting is missing, lists every issue, and refuses an unknown key when the validator is strict', () => {
    const missing = configError(() => new ZodPlugin({ topic: 'orders', partitions: 0 }));
    expect(missing.message).toMatch(/^Setting "endpoint" of plugin "zodded" is missing: .* \(and 1 more: partitions\)$/);
    expect(missing.context).toMatchObject({ path: 'endpoint', value: undefined });
    expect((missing.context.issues as Array<{ path: string }>).map((i) => i.path)).toEqual(['endpoint', 'partitions']);

    const unknown = configError(() => new ZodPlugin({ topic: 'orders', endpoint: 'https://bus.example', partitons: 2 }));
    expect(unknown.message).toContain('plugin "zodded"');
    expect(unknown.message).toContain('partitons');
  });

  it('checks topic and maxEventBytes itself, with the words of the base settings', () => {
    const topic = configError(() => new ZodPlugin({ topic: 'bad topic!', endpoint: 'https://bus.example' }));
    expect(topic.message).toBe('Setting "topic" of plugin "zodded" is "bad topic!": expected a topic name: 1 to 249 letters, digits, ".", "_" or "-"');
    const notObject = configError(() => new ZodPlugin('orders'));
    expect(notObject.context).toMatchObject({ plugin: 'zodded', path: '', value: 'orders', expected: 'an object' });
  });

  it('refuses an asynchronous validator, and a definition whose settings are no schema', () => {
    const slow = z.object({ endpoint: z.string().refine(async (v) => v.length > 0) });
    const asyncError = configError(() => new ZodPlugin({ topic: 'orders', endpoint: 'x' }, slow));
    expect(asyncError.message).toMatch(/^The settings schema of plugin "zodded" \(zod\) validates asynchronously/);
    const none = configError(() => new ZodPlugin({ topic: 'orders' }, { endpoint: 'string' } as unknown as StandardSchemaV1));
    expect(none.message).toMatch(/^Plugin "zodded" declares its settings with .*: expected setting\.object\(\{\.\.\.\}\) or a Standard Schema validator/);
  });
});

describe('the settings DSL as a Standard Schema', () => {
  const dsl = setting.object({ tls: setting.object({ port: setting.integer().min(1) }).optional(), brokers: setting.array(setting.string().min(1)).default(['a:1']) });

  it('validates through ~standard with the DSL words and a path of keys and indexes', () => {
    expect(isStandardSchema(dsl)).toBe(true);
    expect(isStandardSchema(zodSettings)).toBe(true);
    expect(isStandardSchema({ '~standard': { version: 2, validate: () => ({}) } })).toBe(false);
    expect(dsl['~standard'].validate({})).toEqual({ value: { brokers: ['a:1'] } });
    expect(dsl['~standard'].validate({ tls: { port: 0 } })).toEqual({ issues: [{ message: 'expected an integer >= 1', path: ['tls', 'port'] }] });
    expect(dsl['~standard'].validate({ brokers: ['a:1', ''] })).toEqual({ issues: [{ message: 'expected a non-empty string', path: ['brokers', 1] }] });
    expect(dsl['~standard'].validate({ tsl: {} })).toEqual({ issues: [{ message: 'is not a known setting: expected one of the settings tls, brokers', path: ['tsl'] }] });
  });
});
