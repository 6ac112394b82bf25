import { CompressionCodec } from '../protocol/decompress.js';

/** Compression of record batches. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The codec number a record batch's attributes carry for a compression name (see protocol/compress.ts). */
export function compressionCodec(name: CompressionName): number {
  return CompressionCodec[name];
}
