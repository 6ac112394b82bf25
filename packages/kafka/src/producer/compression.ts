import { createRequire } from 'node:module';
import kafkajs, { CompressionTypes } from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader does not see this export by name.
const { CompressionCodecs } = kafkajs;

/** Compression of record batches. gzip is built into kafkajs; the others are registered on first use. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export const COMPRESSION_NAMES: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const require = createRequire(import.meta.url);
const registered = new Set<CompressionName>(['none', 'gzip']);

interface KafkajsEncoder {
  buffer: Buffer;
}
type CodecFactory = () => { compress(encoder: KafkajsEncoder): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };

/**
 * kafkajs' CompressionTypes value for `name`, registering its codec with kafkajs the first time:
 * snappy through kafkajs-snappy (pure JS), lz4 through lz4-napi's LZ4 frame format (what Kafka writes),
 * zstd through @bokuweb/zstd-wasm. The same registration serves consumers reading compressed batches.
 */
export async function useCompression(name: CompressionName): Promise<CompressionTypes> {
  if (!registered.has(name)) {
    (CompressionCodecs as Record<number, CodecFactory>)[typeOf(name)] = await codecFor(name);
    registered.add(name);
  }
  return typeOf(name);
}

/** Register every codec, so a consumer can read batches written with any of them. */
export async function registerAllCompressionCodecs(): Promise<void> {
  for (const name of COMPRESSION_NAMES) await useCompression(name);
}

function typeOf(name: CompressionName): CompressionTypes {
  const types: Record<CompressionName, CompressionTypes> = {
    none: CompressionTypes.None,
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };
  return types[name];
}

async function codecFor(name: CompressionName): Promise<CodecFactory> {
  switch (name) {
    case 'snappy':
      return require('kafkajs-snappy') as CodecFactory;
    case 'lz4': {
      const lz4 = require('lz4-napi') as { compressFrame(b: Buffer): Promise<Buffer>; decompressFrame(b: Buffer): Promise<Buffer> };
      return () => ({ compress: (encoder) => lz4.compressFrame(encoder.buffer), decompress: (buffer) => lz4.decompressFrame(buffer) });
    }
    case 'zstd': {
      const zstd = require('@bokuweb/zstd-wasm') as { init(): Promise<void>; compress(b: Buffer, level: number): Uint8Array; decompress(b: Buffer): Uint8Array };
      await zstd.init();
      return () => ({
        compress: async (encoder) => Buffer.from(zstd.compress(encoder.buffer, 3)),
        decompress: async (buffer) => Buffer.from(zstd.decompress(buffer)),
      });
    }
    default:
      throw new Error(`no codec to register for ${name}`);
  }
}
