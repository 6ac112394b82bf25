/**
 * Inflation of a record batch's compressed records, for any Kafka client's output and without kafkajs: what a
 * consume-only process needs to read batches that Java producers (or librdkafka, or kafkajs) wrote.
 *
 * - gzip (1): node:zlib.
 * - snappy (2): xerial framing (Java) or one raw block (see snappy.ts).
 * - lz4 (3): the LZ4 frame format, which Kafka writes since 0.10 with a correct header checksum, through
 *   lz4-napi (native; handles many blocks and any output size). Kafka writes one frame per batch.
 * - zstd (4): fzstd, a pure-JS streaming decoder. Java's zstd-jni writes frames without a content size, which
 *   one-shot decoders that size their output from the header (zstd-wasm's `decompress`) cannot read.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decompress as unzstd } from 'fzstd';
import { unsnappy } from './snappy.js';

const require = createRequire(import.meta.url);
const inflateGzip = promisify(gunzip);

/** A batch's compression codec: the low three bits of its attributes. */
export const CompressionCodec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

interface Lz4 {
  decompressFrame(data: Uint8Array): Promise<Buffer>;
}
let lz4: Lz4 | undefined;

/**
 * Inflate `data`, the record section of a batch compressed with `codec` (1 gzip, 2 snappy, 3 lz4, 4 zstd), to
 * the records' bytes. Several concatenated gzip members or zstd frames inflate to their concatenation.
 * @throws Error naming the codec when the codec is unknown (0, none, included: nothing to inflate) or the data
 *   is not valid for it; the codec library's error is kept as `cause`. Callers wrap it in their own error.
 */
export async function decompress(codec: number, data: Buffer): Promise<Buffer> {
  const name = NAMES[codec];
  try {
    switch (codec) {
      case CompressionCodec.gzip:
        return await inflateGzip(data);
      case CompressionCodec.snappy:
        return unsnappy(data);
      case CompressionCodec.lz4:
        // Loaded on first use: a native module, which a process reading no lz4 batch need not load.
        lz4 ??= require('lz4-napi') as Lz4;
        return await lz4.decompressFrame(data);
      case CompressionCodec.zstd: {
        const out = unzstd(data);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      }
    }
  } catch (cause) {
    throw new Error(`${name} data could not be inflated (${data.length} bytes): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const known = NAMES.slice(1).map((n, i) => `${i + 1} ${n}`).join(', ');
  throw new Error(`compression codec ${codec} is not one this reader inflates; known codecs: ${known}`);
}
