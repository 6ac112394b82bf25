import avro from 'avsc';
import { quote } from '../errors.js';

type DeepReadonly<T> = T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepReadonly<U>> : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * An Avro schema, as avsc takes it: a JSON object, a primitive type's name, an array for a union, or a Type.
 * Schemas written `as const` are accepted too.
 */
export type AvroSchema = avro.Schema | DeepReadonly<avro.schema.AvroSchema>;

/**
 * How every Avro type is made: payload records get no avsc methods (`clone`, `toBuffer`...) of their own.
 * A new object each time: avsc keeps the named types it met in the options (`registry`), so a shared object
 * would make every later schema with a `User` record fail as a duplicate.
 */
function parseOptions(): Partial<avro.ForSchemaOptions> {
  return { omitRecordMethods: true };
}

/** Parse a schema given by the user. @throws Error (avsc's) when it is not a valid Avro schema. */
export function parseAvroSchema(schema: AvroSchema): avro.Type {
  return avro.Type.isType(schema) ? (schema as avro.Type) : avro.Type.forSchema(schema as avro.Schema, parseOptions());
}

/** Parse a writer schema's text fetched from a registry. @throws Error when it is not JSON or not Avro. */
export function parseAvroSchemaText(text: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(text) as avro.Schema, parseOptions());
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/**
 * The text a schema is registered as: the schema as the user wrote it, with object keys sorted, so the same
 * schema written with its keys in another order gets the same id. Everything the user wrote is kept (defaults,
 * `doc`, `logicalType`, an enum's `default`), unlike avsc's own export, so Confluent's tools see the real schema.
 * A Type instance is exported with its attributes.
 */
export function canonicalSchemaText(schema: AvroSchema): string {
  const plain = avro.Type.isType(schema) ? (schema as avro.Type).schema({ exportAttrs: true }) : schema;
  return JSON.stringify(sortKeys(plain));
}

/** A short name for a type in an error message: `string`, `User`, `null | string`, `array of int`. */
export function describeAvroType(type: avro.Type): string {
  if (type.name !== undefined) return type.name;
  const composite = type as avro.Type & { types?: avro.Type[]; itemsType?: avro.Type; valuesType?: avro.Type };
  if (composite.types) return composite.types.map(describeAvroType).join(' | ');
  if (composite.itemsType) return `array of ${describeAvroType(composite.itemsType)}`;
  if (composite.valuesType) return `map of ${describeAvroType(composite.valuesType)}`;
  return type.typeName;
}

function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n (a bigint)`;
  if (value === undefined) return 'nothing';
  return quote(value, 60);
}

/** One place where a payload does not fit its schema. */
export interface AvroProblem {
  /** The dotted path of the field (array items by index), or `(root)` for the payload itself. */
  path: string;
  /** `path: expected T, got V`. */
  text: string;
}

/** Paths of BigInts in `value` (avsc's checks throw on them instead of reporting them). */
function findBigInts(value: unknown, keys: string[], problems: AvroProblem[], max: number, depth = 0): void {
  if (problems.length >= max || depth > 32) return;
  if (typeof value === 'bigint') {
    const path = keys.join('.') || '(root)';
    problems.push({ path, text: `${path}: a bigint is not an Avro value, got ${describeValue(value)}` });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) findBigInts(item, [...keys, key], problems, max, depth + 1);
  }
}

/** Each place where `payload` does not fit `type`, at most `max` of them; empty when avsc finds it valid. */
export function explainInvalid(type: avro.Type, payload: unknown, max = 5): AvroProblem[] {
  const problems: AvroProblem[] = [];
  try {
    type.isValid(payload, {
      errorHook: (keys, value, expected) => {
        if (problems.length >= max) return;
        const path = keys.join('.') || '(root)';
        problems.push({ path, text: `${path}: expected ${describeAvroType(expected)}, got ${describeValue(value)}` });
      },
    });
  } catch {
    // avsc compares with `|`, which throws on a BigInt: find them instead.
    findBigInts(payload, [], problems, max);
  }
  return problems;
}
