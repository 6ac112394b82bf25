import { describe, expect, it } from 'vitest';
import { compress } from '../../src/protocol/compress.js';
import { CompressionCodec, decompress } from '../../src/protocol/decompress.js';
import { readVector, streamVectors } from '../support/compression-vectors.js';

const CODECS = Object.entries(CompressionCodec).filter(([, codec]) => codec !== 0);

describe('compress', () => {
  it.each(CODECS)('%s: what it writes inflates to what it was given, for the inputs Java compressed too', async (_, codec) => {
    const inputs = streamVectors.filter((v) => v.codec === codec).map((v) => decompress(codec, readVector(v.file)));
    for (const input of await Promise.all(inputs)) {
      const written = await compress(codec, input);
      expect((await decompress(codec, written)).equals(input)).toBe(true);
      // Every input but the empty one is compressible text: the codec did compress.
      if (input.length > 1000) expect(written.length).toBeLessThan(input.length / 4);
    }
  });

  it('names an unknown codec, and none, which has nothing to compress', async () => {
    await expect(compress(7, Buffer.from('x'))).rejects.toThrow(/codec 7 is not one this writer compresses with/);
    await expect(compress(0, Buffer.from('x'))).rejects.toThrow(/codec 0/);
  });
});
