import { describe, expect, it } from 'vitest';
import type { Codec } from '../../src/codec/codec.js';
import { createCodecLookup } from '../../src/codec/codec-lookup.js';
import { jsonCodec } from '../../src/codec/json-codec.js';
import { InvalidArgumentError, TributaryError } from '../../src/errors.js';

const codec = (name: string): Codec => ({ name, encode: () => Buffer.alloc(0), decode: () => null });

describe('createCodecLookup', () => {
  it('always knows JSON, first', () => {
    const lookup = createCodecLookup();
    expect(lookup.get('json')).toBe(jsonCodec);
    expect(lookup.names).toEqual(['json']);
  });

  it('finds the codecs given by name', () => {
    const avro = codec('avro');
    const lookup = createCodecLookup([avro, avro]);
    expect(lookup.get('avro')).toBe(avro);
    expect(lookup.names).toEqual(['json', 'avro']);
  });

  it('lets a codec named json replace the built-in one', () => {
    const json = codec('json');
    expect(createCodecLookup([json]).get('json')).toBe(json);
  });

  it('fails with DECODE_FAILED naming the unknown codec and the known ones', () => {
    const lookup = createCodecLookup([codec('avro')]);
    let error: unknown;
    try {
      lookup.get('protobuf');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect(error).toMatchObject({ code: 'DECODE_FAILED', context: { codec: 'protobuf', known: ['json', 'avro'] } });
    expect((error as Error).message).toBe('Unknown codec "protobuf": this reader knows "json", "avro"');
  });

  it.each([
    ['something that is not a codec', [{ name: 'x' }], /codecs\[0\]/],
    ['a codec without a name', [codec('')], /codecs\[0\]/],
    ['two different codecs with one name', [codec('avro'), codec('avro')], /Two different codecs are named "avro"/],
    ['something that is not an array', 'avro', /expected an array/],
  ])('refuses %s', (_what, codecs, message) => {
    expect(() => createCodecLookup(codecs as Codec[])).toThrow(InvalidArgumentError);
    expect(() => createCodecLookup(codecs as Codec[])).toThrow(message);
  });
});
