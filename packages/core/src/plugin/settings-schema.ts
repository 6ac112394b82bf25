import { PluginConfigError, quote } from '../errors.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/**
 * A tiny settings-schema DSL for plugins: `string`, `number`, `integer`, `boolean`, `enumOf`, `object`,
 * `array`, and on every schema `.optional()` and `.default(value)`; `.min()` / `.max()` bound numbers, string
 * lengths and array lengths. The settings type is inferred from the schema:
 *
 * ```ts
 * const schema = setting.object({
 *   directory: setting.string().min(1),
 *   partitions: setting.integer().min(1).default(1),
 *   mode: setting.enumOf(['fast', 'safe']).optional(),
 * });
 * type Settings = InferSettings<typeof schema>; // { directory: string; partitions: number; mode?: 'fast' | 'safe' }
 * ```
 *
 * Objects reject unknown keys, so a misspelt setting fails at construction instead of being ignored.
 *
 * Why it stays beside Standard Schema validators (zod, valibot, arktype), which plugins may use instead:
 * - core and the built-in plugins carry no validation library, so an application that validates with valibot
 *   does not also install zod (or the reverse) for Tributary's three plugins;
 * - what it checks is what plugin settings need (ranges, lengths, enums, unknown keys refused by default), and
 *   its errors say the expectation in words ("expected an integer from 1 to 5"), which a setting's reader acts on.
 * Every DSL schema is itself a Standard Schema (`~standard`), so it also works where other tools take one.
 */

const CHECK: unique symbol = Symbol('check');

/** A setting that does not validate. Internal: {@link parseSettings} turns it into a PluginConfigError. */
class SettingIssue {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly expected: string,
    readonly problem: 'invalid' | 'missing' | 'unknown',
  ) {}
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `tls.ca` -> ['tls', 'ca']; `ensureTopics[0].topic` -> ['ensureTopics', 0, 'topic']. */
function pathSegments(path: string): PropertyKey[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

/** The base of every schema. `Out` is the validated type, `In` what a user may write (defaults may be left out). */
export abstract class SettingSchema<Out, In = Out> {
  declare readonly _output: Out;
  declare readonly _input: In;
  /** What a valid value looks like, in words, for error messages ("an integer >= 1"). */
  abstract readonly expected: string;

  /** @internal Validate `value` found at `path`; throws a SettingIssue. */
  abstract [CHECK](value: unknown, path: string): Out;

  /** Also accept `undefined` (the setting may be left out). */
  optional(): SettingSchema<Out | undefined, In | undefined> {
    return new OptionalSchema(this);
  }

  /** The Standard Schema interface (https://standardschema.dev): `validate` gives the value, or the issue at its path. */
  get '~standard'(): StandardSchemaV1.Props<In, Out> {
    return {
      version: 1,
      vendor: 'tributary',
      validate: (value: unknown): StandardSchemaV1.Result<Out> => {
        try {
          return { value: this[CHECK](value, '') };
        } catch (error) {
          if (!(error instanceof SettingIssue)) throw error;
          const message = error.problem === 'unknown' ? `is not a known setting: expected ${error.expected}` : `expected ${error.expected}`;
          return { issues: [{ message, path: pathSegments(error.path) }] };
        }
      },
    };
  }

  /** Use `value` when the setting is left out. The default is validated (and nested defaults filled) on use. */
  default(value: Exclude<In, undefined>): SettingSchema<Exclude<Out, undefined>, In | undefined> {
    return new DefaultSchema(this as SettingSchema<Exclude<Out, undefined>, In>, value);
  }
}

/** The validated type of a schema. */
export type InferSettings<S> = S extends { readonly _output: infer O } ? O : never;
/** The type a user may write for a schema (settings with defaults may be left out). */
export type SettingsInput<S> = S extends { readonly _input: infer I } ? I : never;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = SettingSchema<any, any>;
/** The fields of an object schema. */
export type SettingsShape = Record<string, AnySchema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
type WithOptional<T> = Simplify<{ [K in Exclude<keyof T, OptionalKeys<T>>]: T[K] } & { [K in OptionalKeys<T>]?: T[K] }>;
type ObjectOutput<S extends SettingsShape> = WithOptional<{ [K in keyof S]: InferSettings<S[K]> }>;
type ObjectInput<S extends SettingsShape> = WithOptional<{ [K in keyof S]: SettingsInput<S[K]> }>;

class OptionalSchema<Out, In> extends SettingSchema<Out | undefined, In | undefined> {
  constructor(readonly inner: SettingSchema<Out, In>) {
    super();
  }
  get expected(): string {
    return `${this.inner.expected}, or nothing`;
  }
  [CHECK](value: unknown, path: string): Out | undefined {
    return value === undefined ? undefined : this.inner[CHECK](value, path);
  }
}

class DefaultSchema<Out, In> extends SettingSchema<Out, In | undefined> {
  constructor(
    readonly inner: SettingSchema<Out, In>,
    readonly fallback: In,
  ) {
    super();
  }
  get expected(): string {
    return this.inner.expected;
  }
  [CHECK](value: unknown, path: string): Out {
    // structuredClone: each plugin gets its own copy of an object or array default.
    return this.inner[CHECK](value === undefined ? structuredClone(this.fallback) : value, path);
  }
}

interface Bounds {
  min?: number;
  max?: number;
}

function boundsText(bounds: Bounds, unit = ''): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}${unit}`;
  if (min !== undefined) return ` >= ${min}${unit}`;
  if (max !== undefined) return ` <= ${max}${unit}`;
  return '';
}

function inBounds(n: number, bounds: Bounds): boolean {
  return (bounds.min === undefined || n >= bounds.min) && (bounds.max === undefined || n <= bounds.max);
}

/** A string; `min`/`max` bound its length, `pattern` its form. */
export class StringSchema extends SettingSchema<string> {
  constructor(readonly bounds: Bounds = {}, readonly form?: { test: (value: string) => boolean; description: string }) {
    super();
  }
  get expected(): string {
    if (this.form) return this.form.description;
    return this.bounds.min === 1 && this.bounds.max === undefined ? 'a non-empty string' : `a string${boundsText(this.bounds, ' characters long')}`;
  }
  /** At least `n` characters. */
  min(n: number): StringSchema {
    return new StringSchema({ ...this.bounds, min: n }, this.form);
  }
  /** At most `n` characters. */
  max(n: number): StringSchema {
    return new StringSchema({ ...this.bounds, max: n }, this.form);
  }
  /** Must match `pattern` (a RegExp or a predicate); `description` says the form in words ("a topic name"). */
  pattern(pattern: RegExp | ((value: string) => boolean), description: string): StringSchema {
    // A copy without the g and y flags, whose test() would depend on the previous call.
    const regexp = typeof pattern === 'function' ? undefined : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    const test = regexp ? (value: string) => regexp.test(value) : (pattern as (value: string) => boolean);
    return new StringSchema(this.bounds, { test, description });
  }
  [CHECK](value: unknown, path: string): string {
    if (typeof value !== 'string' || !inBounds(value.length, this.bounds) || (this.form && !this.form.test(value))) {
      throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    }
    return value;
  }
}

/** A finite number, or with `integer()` a safe integer; `min`/`max` bound it. */
export class NumberSchema extends SettingSchema<number> {
  constructor(readonly integer: boolean, readonly bounds: Bounds = {}) {
    super();
  }
  get expected(): string {
    return `${this.integer ? 'an integer' : 'a number'}${boundsText(this.bounds)}`;
  }
  /** At least `n`. */
  min(n: number): NumberSchema {
    return new NumberSchema(this.integer, { ...this.bounds, min: n });
  }
  /** At most `n`. */
  max(n: number): NumberSchema {
    return new NumberSchema(this.integer, { ...this.bounds, max: n });
  }
  [CHECK](value: unknown, path: string): number {
    const ok = typeof value === 'number' && (this.integer ? Number.isSafeInteger(value) : Number.isFinite(value)) && inBounds(value, this.bounds);
    if (!ok) throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    return value;
  }
}

/** `true` or `false`. */
export class BooleanSchema extends SettingSchema<boolean> {
  readonly expected = 'true or false';
  [CHECK](value: unknown, path: string): boolean {
    if (typeof value !== 'boolean') throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    return value;
  }
}

/** One of a fixed list of strings or numbers. */
export class EnumSchema<T extends string | number> extends SettingSchema<T> {
  constructor(readonly values: readonly T[]) {
    super();
  }
  get expected(): string {
    return `one of ${this.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  [CHECK](value: unknown, path: string): T {
    if (!this.values.includes(value as T)) throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    return value as T;
  }
}

/** An array whose items all match one schema; `min`/`max` bound its length. The result is frozen. */
export class ArraySchema<Item extends AnySchema> extends SettingSchema<ReadonlyArray<InferSettings<Item>>, ReadonlyArray<SettingsInput<Item>>> {
  constructor(readonly item: Item, readonly bounds: Bounds = {}) {
    super();
  }
  get expected(): string {
    return `an array${boundsText(this.bounds, ' items long')} of ${this.item.expected}`;
  }
  /** At least `n` items. */
  min(n: number): ArraySchema<Item> {
    return new ArraySchema(this.item, { ...this.bounds, min: n });
  }
  /** At most `n` items. */
  max(n: number): ArraySchema<Item> {
    return new ArraySchema(this.item, { ...this.bounds, max: n });
  }
  [CHECK](value: unknown, path: string): ReadonlyArray<InferSettings<Item>> {
    if (!Array.isArray(value) || !inBounds(value.length, this.bounds)) {
      throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    }
    return Object.freeze(value.map((item, i) => this.item[CHECK](item, `${path}[${i}]`) as InferSettings<Item>));
  }
}

/** An object with known fields. Unknown keys are rejected. The result is frozen. */
export class ObjectSchema<S extends SettingsShape> extends SettingSchema<ObjectOutput<S>, ObjectInput<S>> {
  readonly expected = 'an object';
  constructor(readonly shape: S) {
    super();
  }
  /** A schema with this one's fields and `more` (a field of `more` replaces one of the same name). */
  extend<M extends SettingsShape>(more: M): ObjectSchema<Simplify<Omit<S, keyof M> & M>> {
    return new ObjectSchema({ ...this.shape, ...more } as Simplify<Omit<S, keyof M> & M>);
  }
  [CHECK](value: unknown, path: string): ObjectOutput<S> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new SettingIssue(path, value, this.expected, value === undefined ? 'missing' : 'invalid');
    }
    const known = Object.keys(this.shape);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(this.shape, key)) {
        throw new SettingIssue(join(path, key), (value as Record<string, unknown>)[key], `one of the settings ${known.join(', ')}`, 'unknown');
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of known) {
      const checked = this.shape[key]![CHECK]((value as Record<string, unknown>)[key], join(path, key));
      if (checked !== undefined) out[key] = checked;
    }
    return Object.freeze(out) as ObjectOutput<S>;
  }
}

/** The schema builders. */
export const setting = {
  /** A string. */
  string: (): StringSchema => new StringSchema(),
  /** A finite number. */
  number: (): NumberSchema => new NumberSchema(false),
  /** A safe integer. */
  integer: (): NumberSchema => new NumberSchema(true),
  /** `true` or `false`. */
  boolean: (): BooleanSchema => new BooleanSchema(),
  /** One of `values`. */
  enumOf: <const T extends string | number>(values: readonly T[]): EnumSchema<T> => new EnumSchema<T>(values),
  /** An array of `item`. */
  array: <Item extends AnySchema>(item: Item): ArraySchema<Item> => new ArraySchema(item),
  /** An object with the fields of `shape`. */
  object: <S extends SettingsShape>(shape: S): ObjectSchema<S> => new ObjectSchema(shape),
  /** `schema`, or nothing. */
  optional: <O, I>(schema: SettingSchema<O, I>): SettingSchema<O | undefined, I | undefined> => schema.optional(),
} as const;

/**
 * Validate `input` against `schema`, filling in defaults.
 * @throws PluginConfigError naming the plugin, the dotted path of the setting (`context.path`), the value
 *   found and what was expected.
 */
export function parseSettings<S extends AnySchema>(schema: S, input: unknown, plugin: string): InferSettings<S> {
  try {
    return schema[CHECK](input, '') as InferSettings<S>;
  } catch (error) {
    if (!(error instanceof SettingIssue)) throw error;
    const where = error.path === '' ? 'The settings' : `Setting "${error.path}"`;
    const what =
      error.problem === 'missing'
        ? 'is missing'
        : error.problem === 'unknown'
          ? `is not a known setting (value ${quote(error.value)})`
          : `is ${quote(error.value)}`;
    throw new PluginConfigError(`${where} of plugin "${plugin}" ${what}: expected ${error.expected}`, {
      plugin,
      path: error.path,
      value: error.value,
      expected: error.expected,
    });
  }
}
