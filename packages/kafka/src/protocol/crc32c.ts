/**
 * CRC-32C (Castagnoli), the checksum of Kafka's v2 record batches: "The CRC covers the data from the
 * attributes to the end of the batch (i.e. all the bytes that follow the CRC). [...] the CRC-32C (Castagnoli)
 * polynomial is used for the computation" (Kafka's message format documentation). It runs over every fetched
 * byte, so it uses the CPU's CRC32C instruction through @node-rs/crc32 (about 15 times the portable code's
 * speed, measured here) where that native module loads, and otherwise the portable code below: slicing-by-8,
 * eight bytes per step through eight 256-entry tables computed once, when the module loads.
 */
import { createRequire } from 'node:module';

/** The Castagnoli polynomial, bit-reversed: the CRC is computed least significant bit first. */
const POLYNOMIAL = 0x82f63b78;

/** TABLES[k * 256 + b]: the CRC of byte b followed by k zero bytes; table 0 is the classic byte-wise one. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let crc = b;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    tables[b] = crc;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const previous = tables[(k - 1) * 256 + b]!;
      tables[k * 256 + b] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
}

/**
 * The CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number: what a v2 record batch's `crc` field
 * (read with readUInt32BE) holds for the bytes from its `attributes` field to its end.
 * @throws RangeError when the range is not inside `bytes`.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (start < 0 || end > bytes.length || start > end) throw new RangeError(`crc32c range [${start}, ${end}) is not inside ${bytes.length} bytes`);
  if (NATIVE) return NATIVE(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)) >>> 0;
  return crc32cPortable(bytes, start, end);
}

/** The native CRC-32C, or undefined where @node-rs/crc32 has no build for this platform. */
const NATIVE = loadNative();

function loadNative(): ((data: Buffer) => number) | undefined {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c(data: Buffer): number }).crc32c;
  } catch {
    return undefined;
  }
}

/** The portable CRC-32C (slicing-by-8): the same answer as {@link crc32c}, where no native build loads. */
export function crc32cPortable(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (start < 0 || end > bytes.length || start > end) throw new RangeError(`crc32c range [${start}, ${end}) is not inside ${bytes.length} bytes`);
  const t = TABLES;
  let crc = -1;
  let i = start;
  for (const last = end - 8; i <= last; i += 8) {
    const low = crc ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    crc =
      t[1792 + (low & 0xff)]! ^
      t[1536 + ((low >>> 8) & 0xff)]! ^
      t[1280 + ((low >>> 16) & 0xff)]! ^
      t[1024 + (low >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
