import { ErrorCodes, TributaryError } from '../errors.js';
import type { Codec } from './codec.js';
import { jsonCodec } from './json-codec.js';

/** Finds the codec a record names in its `tributary-codec` header, for decoding. */
export interface CodecLookup {
  /** @throws TributaryError DECODE_FAILED naming the unknown codec and the known ones. */
  get(name: string): Codec;
  readonly names: readonly string[];
}

/** A lookup over the given codecs; JSON is always known. */
export function createCodecLookup(codecs: readonly Codec[] = []): CodecLookup {
  const byName = new Map<string, Codec>([[jsonCodec.name, jsonCodec]]);
  for (const codec of codecs) byName.set(codec.name, codec);
  const names = Object.freeze([...byName.keys()]);
  return {
    names,
    get(name) {
      const codec = byName.get(name);
      if (!codec) {
        throw new TributaryError(ErrorCodes.DECODE_FAILED, `Unknown codec "${name}": this reader knows ${names.map((n) => `"${n}"`).join(', ')}`, {
          context: { codec: name, known: names },
        });
      }
      return codec;
    },
  };
}
