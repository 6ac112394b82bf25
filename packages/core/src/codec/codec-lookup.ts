import { ErrorCodes, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import type { Codec } from './codec.js';
import { jsonCodec } from './json-codec.js';

/**
 * Finds the codec a record names in its `tributary-codec` header, for decoding. A reader needs every codec
 * its topics were written with; JSON is always known.
 */
export interface CodecLookup {
  /**
   * The codec with this name.
   * @throws TributaryError DECODE_FAILED naming the unknown codec and the known ones (`context.codec`,
   *   `context.known`).
   */
  get(name: string): Codec;
  /** The names known, JSON first. */
  readonly names: readonly string[];
}

/** @throws InvalidArgumentError when `codec` does not look like a {@link Codec}. */
export function assertCodec(codec: unknown, where: string): asserts codec is Codec {
  const c = codec as Partial<Codec> | null | undefined;
  if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || c.name === '' || typeof c.encode !== 'function' || typeof c.decode !== 'function') {
    throw new InvalidArgumentError(`Invalid codec ${quote(codec)} ${where}: expected a Codec (a non-empty name, encode, decode)`, { value: codec, expected: 'Codec', where });
  }
}

/**
 * A lookup over `codecs` and JSON ({@link jsonCodec}, unless a codec named `json` is given instead).
 * @throws InvalidArgumentError when an entry is not a codec, or two different codecs share a name.
 */
export function createCodecLookup(codecs: readonly Codec[] = []): CodecLookup {
  if (!Array.isArray(codecs)) {
    throw new InvalidArgumentError(`Invalid codecs ${quote(codecs)}: expected an array of codecs`, { value: codecs, expected: 'Codec[]' });
  }
  const given = new Map<string, Codec>();
  codecs.forEach((codec, i) => {
    assertCodec(codec, `at codecs[${i}]`);
    const other = given.get(codec.name);
    if (other !== undefined && other !== codec) {
      throw new InvalidArgumentError(`Two different codecs are named ${quote(codec.name)}: a record's tributary-codec header must name one codec`, {
        value: codec.name,
        expected: 'unique codec names',
      });
    }
    given.set(codec.name, codec);
  });
  const byName = new Map<string, Codec>([[jsonCodec.name, given.get(jsonCodec.name) ?? jsonCodec], ...given]);
  const names = Object.freeze([...byName.keys()]);
  return {
    names,
    get(name) {
      const codec = byName.get(name);
      if (codec === undefined) {
        throw new TributaryError(ErrorCodes.DECODE_FAILED, `Unknown codec ${quote(name)}: this reader knows ${names.map((n) => `"${n}"`).join(', ')}`, {
          context: { codec: name, known: names },
        });
      }
      return codec;
    },
  };
}
