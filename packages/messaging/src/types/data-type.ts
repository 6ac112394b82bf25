import { jsonCodec, type Codec, type CodecContext } from '@tributary/core';
import { TypeMismatchError } from '../errors.js';

/** The built-in data types of requests and responses, as Diffusion names them. */
export const DATA_TYPES = ['json', 'string', 'int64', 'double', 'bytes'] as const;
export type DataTypeName = (typeof DATA_TYPES)[number];

/**
 * A request's or response's data type: a built-in name, or any Tributary codec (an `AvroCodec` with its
 * schema, say), which travels under the codec's name.
 * - `json`: any value JSON can hold;
 * - `string`: a JavaScript string;
 * - `int64`: a bigint from -2^63 to 2^63-1 (a safe integer number is accepted and sent as one);
 * - `double`: a number;
 * - `bytes`: a Buffer or Uint8Array (received as a Buffer).
 */
export type DataType = DataTypeName | { readonly codec: Codec };

/** The values each built-in type carries, for typed handlers. */
export interface DataTypeValues {
  json: unknown;
  string: string;
  int64: bigint;
  double: number;
  bytes: Buffer;
}

/** The name a data type travels under, in the request's `tributary.type` header. */
export function dataTypeName(type: DataType): string {
  return typeof type === 'string' ? type : type.codec.name;
}

/** Check a data type given in options. @throws TypeError-free: InvalidArgument is the caller's, so this returns a reason or undefined. */
export function invalidDataType(type: unknown): string | undefined {
  if (typeof type === 'string') return (DATA_TYPES as readonly string[]).includes(type) ? undefined : `one of ${DATA_TYPES.join(', ')} or { codec }`;
  if (typeof type === 'object' && type !== null && 'codec' in type) {
    const codec = (type as { codec: Partial<Codec> }).codec;
    if (codec && typeof codec.encode === 'function' && typeof codec.decode === 'function' && typeof codec.name === 'string') return undefined;
  }
  return `one of ${DATA_TYPES.join(', ')} or { codec } with a Tributary codec`;
}

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Encode a value as `type`. Pure for the built-in types; a codec may reach its schema registry.
 * @throws TypeMismatchError naming the type when the value does not fit it (for a codec: when it fails to encode).
 */
export async function encodeAs(type: DataType, value: unknown, where: { path: string; direction: 'request' | 'response' }): Promise<Buffer> {
  const name = dataTypeName(type);
  const mismatch = (why: string, cause?: unknown) => {
    const error = new TypeMismatchError(`The ${where.direction} to path ${JSON.stringify(where.path)} is ${why}; its type is ${name}`, { expected: name, actual: describe(value), path: where.path, direction: where.direction });
    if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
    return error;
  };
  switch (type) {
    case 'json':
      if (value === undefined) throw mismatch('undefined');
      try {
        return jsonCodec.encode(value, context(where.path));
      } catch (cause) {
        throw mismatch(`not JSON (${(cause as Error).message})`, cause);
      }
    case 'string':
      if (typeof value !== 'string') throw mismatch(describe(value));
      return Buffer.from(value, 'utf8');
    case 'int64': {
      const n = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
      if (typeof n !== 'bigint') throw mismatch(describe(value));
      if (n < MIN_INT64 || n > MAX_INT64) throw mismatch(`${n}, outside the 64-bit range`);
      const out = Buffer.allocUnsafe(8);
      out.writeBigInt64BE(n);
      return out;
    }
    case 'double': {
      if (typeof value !== 'number') throw mismatch(describe(value));
      const out = Buffer.allocUnsafe(8);
      out.writeDoubleBE(value);
      return out;
    }
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw mismatch(describe(value));
      return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    default:
      try {
        return await type.codec.encode(value, context(where.path));
      } catch (cause) {
        throw mismatch(`not encodable (${(cause as Error).message})`, cause);
      }
  }
}

/**
 * Decode bytes that travelled as `sentAs` into `type`. The names must agree (a json request is not a string
 * request), and the bytes must be a valid value of the type.
 * @throws TypeMismatchError naming the expected type and what came.
 */
export async function decodeAs(type: DataType, sentAs: string, bytes: Buffer, where: { path: string; direction: 'request' | 'response' }): Promise<unknown> {
  const name = dataTypeName(type);
  const mismatch = (why: string, cause?: unknown) => {
    const error = new TypeMismatchError(`The ${where.direction} to path ${JSON.stringify(where.path)} is ${why}; expected ${name}`, { expected: name, actual: sentAs, path: where.path, direction: where.direction });
    if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause });
    return error;
  };
  if (sentAs !== name) throw mismatch(`of type ${sentAs}`);
  switch (type) {
    case 'json':
      try {
        return jsonCodec.decode(bytes, context(where.path));
      } catch (cause) {
        throw mismatch('not valid JSON', cause);
      }
    case 'string':
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch (cause) {
        throw mismatch('not UTF-8', cause);
      }
    case 'int64':
      if (bytes.length !== 8) throw mismatch(`${bytes.length} bytes, not 8`);
      return bytes.readBigInt64BE();
    case 'double':
      if (bytes.length !== 8) throw mismatch(`${bytes.length} bytes, not 8`);
      return bytes.readDoubleBE();
    case 'bytes':
      return bytes;
    default:
      try {
        return await type.codec.decode(bytes, context(where.path));
      } catch (cause) {
        throw mismatch(`not decodable (${(cause as Error).message})`, cause);
      }
  }
}

function context(path: string): CodecContext {
  return { topic: 'tributary.messaging', category: path };
}
