import { describe, expect, expectTypeOf, it } from 'vitest';
import { ErrorCodes, PluginConfigError } from '../../src/errors.js';
import { parseSettings, setting, type InferSettings, type SettingsInput } from '../../src/plugin/settings-schema.js';

const schema = setting.object({
  directory: setting.string().min(1),
  partitions: setting.integer().min(1).max(64).default(1),
  ratio: setting.number().optional(),
  mode: setting.enumOf(['fast', 'safe']).default('safe'),
  brokers: setting.array(setting.string().pattern(/^[a-z]+:\d+$/, 'a "host:port" address')).min(1).default(['localhost:9092']),
  sasl: setting
    .object({
      username: setting.string(),
      mechanism: setting.enumOf(['plain', 'scram']).default('plain'),
    })
    .optional(),
  retry: setting.object({ attempts: setting.integer().min(0).default(3) }).default({}),
});

function configError(input: unknown): PluginConfigError {
  try {
    parseSettings(schema, input, 'demo');
  } catch (error) {
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).code).toBe(ErrorCodes.PLUGIN_CONFIG);
    expect((error as PluginConfigError).context.plugin).toBe('demo');
    return error as PluginConfigError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('settings schema', () => {
  it('fills in defaults, nested ones too, and leaves optional settings out', () => {
    const settings = parseSettings(schema, { directory: '/tmp/x' }, 'demo');
    expect(settings).toEqual({ directory: '/tmp/x', partitions: 1, mode: 'safe', brokers: ['localhost:9092'], retry: { attempts: 3 } });
    expect('ratio' in settings).toBe(false);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.brokers)).toBe(true);
  });

  it('keeps given values', () => {
    const input = { directory: 'd', partitions: 64, ratio: 0.5, mode: 'fast', brokers: ['a:1', 'b:2'], sasl: { username: 'u' }, retry: { attempts: 0 } };
    expect(parseSettings(schema, input, 'demo')).toEqual({ ...input, sasl: { username: 'u', mechanism: 'plain' } });
  });

  it('gives each parse its own copy of an object default', () => {
    const a = parseSettings(schema, { directory: 'd' }, 'demo');
    const b = parseSettings(schema, { directory: 'd' }, 'demo');
    expect(a.brokers).not.toBe(b.brokers);
  });

  it.each([
    [{}, 'directory', 'is missing', 'a non-empty string'],
    [{ directory: '' }, 'directory', 'is ""', 'a non-empty string'],
    [{ directory: 'd', partitions: 0 }, 'partitions', 'is 0', 'an integer from 1 to 64'],
    [{ directory: 'd', partitions: 1.5 }, 'partitions', 'is 1.5', 'an integer'],
    [{ directory: 'd', partitions: '2' }, 'partitions', 'is "2"', 'an integer'],
    [{ directory: 'd', ratio: Number.NaN }, 'ratio', 'is', 'a number'],
    [{ directory: 'd', mode: 'slow' }, 'mode', 'is "slow"', 'one of "fast", "safe"'],
    [{ directory: 'd', brokers: [] }, 'brokers', 'is []', 'an array >= 1 items long'],
    [{ directory: 'd', brokers: ['a:1', 'nope'] }, 'brokers[1]', 'is "nope"', 'a "host:port" address'],
    [{ directory: 'd', sasl: { mechanism: 'plain' } }, 'sasl.username', 'is missing', 'a string'],
    [{ directory: 'd', retry: { attempts: -1 } }, 'retry.attempts', 'is -1', 'an integer >= 0'],
    [{ directory: 'd', partitons: 2 }, 'partitons', 'is not a known setting', 'one of the settings directory, partitions'],
    [{ directory: 'd', sasl: { username: 'u', pass: 'x' } }, 'sasl.pass', 'is not a known setting', 'username, mechanism'],
  ])('rejects %j at the setting\'s dotted path', (input, path, problem, expected) => {
    const error = configError(input);
    expect(error.context.path).toBe(path);
    expect(error.message).toContain(`Setting "${path}" of plugin "demo" ${problem}`);
    expect(error.message).toContain(expected);
  });

  it('rejects settings that are not an object', () => {
    for (const input of [null, 'x', [], 5]) {
      const error = configError(input);
      expect(error.context.path).toBe('');
      expect(error.message).toContain('an object');
    }
  });

  it('infers the settings type from the schema', () => {
    type Settings = InferSettings<typeof schema>;
    expectTypeOf<Settings['partitions']>().toEqualTypeOf<number>();
    expectTypeOf<Settings['mode']>().toEqualTypeOf<'fast' | 'safe'>();
    expectTypeOf<Settings['ratio']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Settings['brokers']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<NonNullable<Settings['sasl']>['mechanism']>().toEqualTypeOf<'plain' | 'scram'>();
    type Input = SettingsInput<typeof schema>;
    expectTypeOf<{ directory: string }>().toMatchTypeOf<Input>();
    expectTypeOf<{ partitions: number }>().not.toMatchTypeOf<Input>();
  });

  it('extends an object schema, the extension winning on a shared name', () => {
    const base = setting.object({ topic: setting.string(), limit: setting.integer().default(10) });
    const extended = base.extend({ limit: setting.integer().default(20), extra: setting.boolean().default(false) });
    expect(parseSettings(extended, { topic: 't' }, 'x')).toEqual({ topic: 't', limit: 20, extra: false });
  });

  it('tests a pattern with the g flag the same way every time', () => {
    const s = setting.string().pattern(/^a+$/g, 'only a');
    expect(parseSettings(s, 'aaa', 'x')).toBe('aaa');
    expect(parseSettings(s, 'aaa', 'x')).toBe('aaa');
  });
});
