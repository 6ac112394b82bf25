import type { StreamCodec } from './stream-service.js';

/** Plain JSON until the seed's codec lands: no newline in an encoded message, as the wire needs. */
export function defaultStreamCodec(): StreamCodec {
  return {
    name: 'json',
    encode: (message) => Buffer.from(JSON.stringify(message) ?? 'null', 'utf8'),
    decode: (bytes) => JSON.parse(bytes.toString('utf8')) as unknown,
  };
}
