import { createRequire } from 'node:module';
import kafkajs, { CompressionTypes } from 'kafkajs';

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
 * (@bokuweb/zstd-wasm) with kafkajs' writer, once per process. Every KafkaClient does this when it is made, so
 * no component depends on another having run first. Tributary's reader does not use these: it decompresses with
 * its own decoders (protocol/decompress.ts), which also read what other clients write.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = CompressionCodecs as Record<number, () => Codec>;
  codecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as () => Codec;
  const lz4 = require('lz4-napi') as { compressFrame(b: Buffer): Promise<Buffer>; decompressFrame(b: Buffer): Promise<Buffer> };
  codecs[CompressionTypes.LZ4] = () => ({ compress: (encoder) => lz4.compressFrame(encoder.buffer), decompress: (buffer) => lz4.decompressFrame(buffer) });
  const zstd = require('@bokuweb/zstd-wasm') as { init(): Promise<void>; compress(b: Buffer, level: number): Uint8Array; decompress(b: Buffer): Uint8Array };
  let ready: Promise<void> | undefined;
  const init = () => (ready ??= zstd.init());
  codecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder) => (await init(), Buffer.from(zstd.compress(encoder.buffer, 3))),
    decompress: async (buffer) => (await init(), Buffer.from(zstd.decompress(buffer))),
  });
}
