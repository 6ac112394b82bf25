/**
 * Compression of a record batch's records, the other side of decompress.ts: what the record-batch encoder
 * writes, in forms every Kafka client reads.
 *
 * - gzip (1): node:zlib, one member.
 * - snappy (2): one raw snappy block (snappyjs, through kafkajs-snappy), as kafkajs and librdkafka write it;
 *   Java's consumer reads it (snappy-java's SnappyInputStream falls back to a raw block without the xerial magic).
 * - lz4 (3): one LZ4 frame (lz4-napi), the format Kafka reads since 0.10.
 * - zstd (4): one zstd frame at level 3, zstd's default (@bokuweb/zstd-wasm).
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { CompressionCodec } from './decompress.js';

const require = createRequire(import.meta.url);
const deflateGzip = promisify(gzip);

/** zstd's own default level, which Kafka's producer also uses. */
const ZSTD_LEVEL = 3;

interface Snappy {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
}
interface Lz4 {
  compressFrame(data: Buffer): Promise<Buffer>;
}
interface Zstd {
  init(): Promise<void>;
  compress(data: Buffer, level: number): Uint8Array;
}

// Each codec's module is loaded on first use: a process that writes none of them loads none.
let snappy: Snappy | undefined;
let lz4: Lz4 | undefined;
let zstd: Promise<Zstd> | undefined;

/**
 * Compress `data`, a batch's records, with `codec` (1 gzip, 2 snappy, 3 lz4, 4 zstd), into what a batch with
 * that codec in its attributes carries.
 * @throws Error naming the codec when it is unknown (0, none, included: nothing to compress) or its library fails;
 *   the library's error is kept as `cause`. Callers wrap it in their own error.
 */
export async function compress(codec: number, data: Buffer): Promise<Buffer> {
  try {
    switch (codec) {
      case CompressionCodec.gzip:
        return await deflateGzip(data);
      case CompressionCodec.snappy:
        snappy ??= (require('kafkajs-snappy') as () => Snappy)();
        return await snappy.compress({ buffer: data });
      case CompressionCodec.lz4:
        lz4 ??= require('lz4-napi') as Lz4;
        return await lz4.compressFrame(data);
      case CompressionCodec.zstd: {
        const codecModule = await (zstd ??= loadZstd());
        const out = codecModule.compress(data, ZSTD_LEVEL);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      }
    }
  } catch (cause) {
    throw new Error(`${codecName(codec)} compression failed (${data.length} bytes): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  throw new Error(`compression codec ${codec} is not one this writer compresses with; known codecs: 1 gzip, 2 snappy, 3 lz4, 4 zstd`);
}

async function loadZstd(): Promise<Zstd> {
  const module = require('@bokuweb/zstd-wasm') as Zstd;
  await module.init();
  return module;
}

function codecName(codec: number): string {
  return Object.entries(CompressionCodec).find(([, n]) => n === codec)?.[0] ?? String(codec);
}
