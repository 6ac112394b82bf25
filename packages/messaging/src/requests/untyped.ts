import { DATA_TYPES, decodeAs, type DataTypeName } from '../types/data-type.js';

/**
 * A response decoded by the type it travelled as, when the requester named none: the built-in types decode
 * to their values; a codec's bytes (Avro, say) come back as a Buffer, since only a codec can read them.
 */
export function decodeUntyped(sentAs: string, bytes: Buffer, path: string): Promise<unknown> {
  if ((DATA_TYPES as readonly string[]).includes(sentAs)) return decodeAs(sentAs as DataTypeName, sentAs, bytes, { path, direction: 'response' });
  return Promise.resolve(bytes);
}
