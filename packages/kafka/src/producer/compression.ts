import { createRequire } from 'node:module';
import kafkajs, { CompressionTypes } from 'kafkajs';
import { decompress } from '../protocol/decompress.js';

// kafkajs is CommonJS and Node's ESM loader does not see this export by name.
const { CompressionCodecs } = kafkajs;

/** Compression of record batches. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface Codec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

let registered = false;

/** kafkajs' CompressionTypes value of a compression name. */
export function compressionType(name: CompressionName): CompressionTypes {
  const types: Record<CompressionName, CompressionTypes> = {
    none: CompressionTypes.None,
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };
  return types[name];
}

/**
 * Register snappy (kafkajs-snappy, pure JS), lz4 (lz4-napi's LZ4 frame format, what Kafka writes) and zstd
 * (@bokuweb/zstd-wasm) compression with kafkajs' writer, once per process. Every KafkaClient does this when it is
 * made, so no component depends on another having run first. Inflating goes through Tributary's own decoders
 * (protocol/decompress.ts), the ones its reader uses, which also read what other clients write (zstd-wasm's
 * decoder fails on large frames without a content size).
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = CompressionCodecs as Record<number, () => Codec>;
  const codec = (type: CompressionTypes, compress: (data: Buffer) => Promise<Buffer>) => {
    codecs[type] = () => ({ compress: (encoder) => compress(encoder.buffer), decompress: (buffer) => decompress(type, buffer) });
  };
  const snappy = (require('kafkajs-snappy') as () => Codec)();
  codec(CompressionTypes.Snappy, (data) => snappy.compress({ buffer: data }));
  const lz4 = require('lz4-napi') as { compressFrame(b: Buffer): Promise<Buffer> };
  codec(CompressionTypes.LZ4, (data) => lz4.compressFrame(data));
  const zstd = require('@bokuweb/zstd-wasm') as { init(): Promise<void>; compress(b: Buffer, level: number): Uint8Array };
  let ready: Promise<void> | undefined;
  codec(CompressionTypes.ZSTD, async (data) => {
    await (ready ??= zstd.init());
    return Buffer.from(zstd.compress(data, 3));
  });
}
