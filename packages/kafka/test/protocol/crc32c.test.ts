import { describe, expect, it } from 'vitest';
import { crc32c, crc32cPortable } from '../../src/protocol/crc32c.js';
import { batchVectors, readVector } from '../support/compression-vectors.js';

/** Bit by bit from the definition: the reference the table-driven code must agree with. */
function reference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('gives the published check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    // RFC 3720 (iSCSI), B.4: 32 bytes of zeros, of ones, and ascending.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
  });

  it.each([['native where it loads', crc32c], ['portable', crc32cPortable]] as const)('%s: agrees with the bit-by-bit definition at every length and alignment', (_, crc) => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end < 300; end += 7) expect(crc(bytes, start, end)).toBe(reference(bytes.subarray(start, end)));
    }
    // A view into a larger buffer (what a fetch response hands the decoder) reads only its own bytes.
    const inner = Buffer.from(bytes.buffer, 17, 200);
    expect(crc(inner, 3, 150)).toBe(reference(inner.subarray(3, 150)));
  });

  it("matches the CRC that Kafka's Java client wrote in each batch, over the bytes from the attributes on", () => {
    expect(batchVectors.length).toBeGreaterThan(0);
    for (const vector of batchVectors) {
      const batch = readVector(vector.file);
      expect(batch.readUInt32BE(17)).toBe(vector.crc);
      expect(crc32c(batch, 21)).toBe(vector.crc);
    }
  });

  it('refuses a range outside the bytes', () => {
    expect(() => crc32c(new Uint8Array(4), 2, 5)).toThrow(RangeError);
    expect(() => crc32c(new Uint8Array(4), 3, 2)).toThrow(RangeError);
  });
});
