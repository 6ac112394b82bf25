import { gzipSync } from 'node:zlib';
import { compressFrame } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { CompressionCodec, decompress } from '../../src/protocol/decompress.js';
import { unsnappy } from '../../src/protocol/snappy.js';
import { readVector, sha256, streamVectors } from '../support/compression-vectors.js';

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('decompress', () => {
  it.each(streamVectors.map((v) => [`${NAMES[v.codec]} ${v.file}`, v] as const))("inflates what Kafka's Java producer wrote: %s", async (_, vector) => {
    const out = await decompress(vector.codec, readVector(vector.file));
    expect(out.length).toBe(vector.length);
    expect(sha256(out)).toBe(vector.sha256);
  });

  it('covers every codec with a text, a multi-MiB and an empty vector', () => {
    for (const codec of [1, 2, 3, 4]) {
      const lengths = streamVectors.filter((v) => v.codec === codec).map((v) => v.length);
      expect(lengths).toContain(0);
      expect(Math.max(...lengths)).toBeGreaterThanOrEqual(1024 * 1024);
    }
  });

  it('inflates concatenated zstd frames (none with a content size) and gzip members to their concatenation', async () => {
    const zstdBulk = streamVectors.find((v) => v.file === 'zstd-bulk.bin')!;
    const zstdText = streamVectors.find((v) => v.file === 'zstd-text.bin')!;
    const frames = await decompress(CompressionCodec.zstd, Buffer.concat([readVector(zstdBulk.file), readVector(zstdText.file), readVector(zstdBulk.file)]));
    expect(frames.length).toBe(2 * zstdBulk.length + zstdText.length);
    expect(sha256(frames.subarray(0, zstdBulk.length))).toBe(zstdBulk.sha256);
    expect(sha256(frames.subarray(zstdBulk.length, zstdBulk.length + zstdText.length))).toBe(zstdText.sha256);
    expect(sha256(frames.subarray(zstdBulk.length + zstdText.length))).toBe(zstdBulk.sha256);

    const members = await decompress(CompressionCodec.gzip, Buffer.concat([gzipSync('one '), gzipSync('two')]));
    expect(members.toString()).toBe('one two');
  });

  it('inflates an LZ4 frame of many blocks to more than 4 MiB', async () => {
    const input = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < input.length; i++) input[i] = (i % 251) ^ (i >>> 12);
    const out = await decompress(CompressionCodec.lz4, await compressFrame(input));
    expect(out.equals(input)).toBe(true);
  });

  it('names an unknown codec and the known ones', async () => {
    for (const codec of [0, 5, 7]) {
      await expect(decompress(codec, Buffer.alloc(4))).rejects.toThrow(`compression codec ${codec} is not one this reader inflates; known codecs: 1 gzip, 2 snappy, 3 lz4, 4 zstd`);
    }
  });

  it('fails, naming the codec, on a truncated stream of any codec', async () => {
    for (const file of ['gzip-bulk.bin', 'snappy-bulk.bin', 'lz4-bulk.bin', 'zstd-bulk.bin']) {
      const vector = streamVectors.find((v) => v.file === file)!;
      const bytes = readVector(file);
      const error = await decompress(vector.codec, bytes.subarray(0, bytes.length - 100)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(new RegExp(`^${NAMES[vector.codec]} data could not be inflated`));
      expect((error as Error).cause).toBeDefined();
    }
  });
});

describe('unsnappy', () => {
  // Raw blocks spelled out from snappy's format description: a preamble (the uncompressed length), then tags.
  it('reads an unframed raw block, with a copy that overlaps its own output', () => {
    // Literal "abcd" (tag (4 - 1) << 2), then tag 0b000_011_01: copy with a 1-byte offset (4), length 4 + 3.
    expect(unsnappy(Buffer.from([11, 3 << 2, 0x61, 0x62, 0x63, 0x64, 0b000_011_01, 4])).toString()).toBe('abcdabcdabc');
  });

  it('reads a long literal and a copy with a 2-byte offset', () => {
    const literal = Buffer.alloc(100, 'x');
    literal.write('head');
    // Literal of 100 bytes: tag 60 << 2, then length - 1 in one byte. Copy: tag (length - 1) << 2 | 2, offset 100 LE.
    const block = Buffer.concat([Buffer.from([200, 1]), Buffer.from([60 << 2, 99]), literal, Buffer.from([(64 - 1) << 2 | 2, 100, 0, (36 - 1) << 2 | 2, 100, 0])]);
    expect(unsnappy(block).equals(Buffer.concat([literal, literal]))).toBe(true);
  });

  it('refuses copies before the block start, output past the declared length, and short output', () => {
    expect(() => unsnappy(Buffer.from([8, 0b000_011_01, 1]))).toThrow(/a copy/);
    expect(() => unsnappy(Buffer.from([2, 3 << 2, 0x61, 0x62, 0x63, 0x64]))).toThrow(/a literal/);
    expect(() => unsnappy(Buffer.from([5, 3 << 2, 0x61, 0x62, 0x63, 0x64]))).toThrow(/gives 4 bytes but declares 5/);
    expect(() => unsnappy(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0]))).toThrow(/no valid uncompressed length/);
  });
});
