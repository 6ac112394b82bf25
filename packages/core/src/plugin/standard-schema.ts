import { PluginConfigError, quote } from '../errors.js';

/**
 * The Standard Schema interface (https://standardschema.dev, v1), which zod (3.24+), valibot (1.0+), arktype
 * (2.0+) and others implement: a validator is any object with a `~standard` property. Copied here, as the spec
 * asks libraries that accept schemas to do, so accepting one needs no dependency.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace -- the spec's own shape, so its types read as documented
export declare namespace StandardSchemaV1 {
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  export type Result<Output> = SuccessResult<Output> | FailureResult;
  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  export interface PathSegment {
    readonly key: PropertyKey;
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

/** Whether `value` is a Standard Schema validator (has a `~standard` object with version 1 and `validate`). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: Partial<StandardSchemaV1.Props> } | null | undefined)?.['~standard'];
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function';
}

/** An issue's path as the DSL writes it: `tls.ca`, `ensureTopics[0].topic`; empty for the settings as a whole. */
function dottedPath(path: StandardSchemaV1.Issue['path']): string {
  let out = '';
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key))) out += `[${String(key)}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** The value found at an issue's path in the input (undefined where the path leads nowhere). */
function valueAt(input: unknown, path: StandardSchemaV1.Issue['path']): unknown {
  let value = input;
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Validate a plugin's settings with a Standard Schema validator, at construction (so synchronously).
 * @throws PluginConfigError naming the plugin, the dotted path of the first issue (`context.path`), the value
 *   found there and the validator's message as what was expected; `context.issues` lists every issue. Also
 *   when the validator is asynchronous (a refinement that awaits): settings are checked before anything runs.
 */
export function validateStandardSettings<Output>(schema: StandardSchemaV1<unknown, Output>, input: unknown, plugin: string): Output {
  const result = schema['~standard'].validate(input);
  if (result instanceof Promise) {
    // The promise is dropped: a rejection later must not surface as an unhandled one.
    result.catch(() => undefined);
    throw new PluginConfigError(`The settings schema of plugin "${plugin}" (${schema['~standard'].vendor}) validates asynchronously; plugin settings are checked in the constructor, so the schema must be synchronous`, {
      plugin,
      path: '',
      value: input,
      expected: 'a synchronous Standard Schema',
    });
  }
  if (result.issues === undefined) return result.value;
  const issues = result.issues.map((issue) => ({ path: dottedPath(issue.path), message: issue.message, value: valueAt(input, issue.path) }));
  const first = issues[0] ?? { path: '', message: 'invalid', value: input };
  const where = first.path === '' ? 'The settings' : `Setting "${first.path}"`;
  const what = first.value === undefined ? 'is missing' : `is ${quote(first.value)}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.path || '(settings)').join(', ')})` : '';
  throw new PluginConfigError(`${where} of plugin "${plugin}" ${what}: ${first.message}${more}`, {
    plugin,
    path: first.path,
    value: first.value,
    expected: first.message,
    issues: issues.map(({ path, message }) => ({ path, message })),
  });
}
