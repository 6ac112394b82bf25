/**
 * Snappy decompression as Kafka's clients write it. Java's producer (snappy-java's SnappyOutputStream) writes
 * the xerial framing: the magic 0x82 "SNAPPY" 0x00, two int32 versions, then chunks of [int32 length, raw snappy
 * block], one block per 32 KiB of input. librdkafka and kafkajs may write one raw snappy block, unframed. Both
 * are read here, into one buffer sized from the blocks' declared lengths, with every read and copy bounded:
 * a corrupt block is an error, never a short or padded result.
 */

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
/** Magic (8), version (4), compatible version (4). */
const XERIAL_HEADER = 16;
/** The most output one input byte can give: a 3-byte copy of 64 bytes. */
const MAX_EXPANSION = 22;

/** Thrown for bytes that are not snappy as described above. */
export class SnappyFormatError extends Error {
  override name = 'SnappyFormatError';
}

/**
 * Inflate snappy data in xerial framing (what Java's producer writes) or a raw snappy block.
 * @throws SnappyFormatError for a truncated or corrupt stream.
 */
export function unsnappy(data: Uint8Array): Buffer {
  const blocks = isXerial(data) ? xerialBlocks(data) : [[0, data.length] as const];
  let total = 0;
  const lengths = blocks.map(([start, end]) => {
    const length = preamble(data, start, end);
    total += length.value;
    return length;
  });
  const out = Buffer.allocUnsafe(total);
  let outPos = 0;
  for (let i = 0; i < blocks.length; i++) {
    const { value, next } = lengths[i]!;
    decodeBlock(data, next, blocks[i]![1], out, outPos, outPos + value);
    outPos += value;
  }
  return out;
}

function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** The [start, end) of each raw block after the xerial header. */
function xerialBlocks(data: Uint8Array): Array<readonly [number, number]> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const blocks: Array<readonly [number, number]> = [];
  let pos = XERIAL_HEADER;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new SnappyFormatError(`xerial snappy stream ends inside a chunk length at byte ${pos}`);
    const length = view.getInt32(pos);
    pos += 4;
    if (length < 0 || pos + length > data.length) throw new SnappyFormatError(`xerial snappy chunk at byte ${pos - 4} claims ${length} bytes; ${data.length - pos} are left`);
    blocks.push([pos, pos + length]);
    pos += length;
  }
  return blocks;
}

/** A raw block's leading varint: its uncompressed length. */
function preamble(data: Uint8Array, start: number, end: number): { value: number; next: number } {
  let value = 0;
  for (let pos = start, shift = 0; pos < end && shift < 35; shift += 7) {
    const byte = data[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      // A tag of n bytes writes at most 64 / 3 * n: a larger claim is corrupt, and not worth allocating.
      if (value > (end - pos) * MAX_EXPANSION) break;
      return { value, next: pos };
    }
  }
  throw new SnappyFormatError(`snappy block at byte ${start} has no valid uncompressed length`);
}

/**
 * Decode the tags of one raw block in `src[pos, end)` into exactly `out[outStart, outEnd)`. Copies refer
 * back only within the block's own output: blocks are independent.
 */
function decodeBlock(src: Uint8Array, pos: number, end: number, out: Buffer, outStart: number, outEnd: number): void {
  let o = outStart;
  while (pos < end) {
    const tag = src[pos++]!;
    let length: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        // Literal: length - 1 in the tag's upper six bits, or in the 1 to 4 little-endian bytes after it.
        length = (tag >>> 2) + 1;
        if (length > 60) {
          const bytes = length - 60;
          if (pos + bytes > end) throw corrupt(pos, 'a literal length');
          // Kept in int32 arithmetic (a double here slows the whole loop); a length past 2^31 reads negative.
          length = 0;
          for (let i = 0; i < bytes; i++) length |= src[pos + i]! << (8 * i);
          length = (length + 1) | 0;
          pos += bytes;
        }
        if (length <= 0 || pos + length > end || o + length > outEnd) throw corrupt(pos, 'a literal');
        copyLiteral(src, pos, out, o, length);
        pos += length;
        o += length;
        continue;
      }
      case 1:
        if (pos + 1 > end) throw corrupt(pos, 'a copy');
        length = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[pos++]!;
        break;
      case 2:
        if (pos + 2 > end) throw corrupt(pos, 'a copy');
        length = (tag >>> 2) + 1;
        offset = src[pos]! | (src[pos + 1]! << 8);
        pos += 2;
        break;
      default:
        if (pos + 4 > end) throw corrupt(pos, 'a copy');
        length = (tag >>> 2) + 1;
        offset = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24);
        pos += 4;
    }
    if (offset <= 0 || offset > o - outStart || o + length > outEnd) throw corrupt(pos, 'a copy');
    // A copy may overlap its own output (offset < length: a repeated pattern), so short ones go byte by byte.
    copyBack(out, o, offset, length);
    o += length;
  }
  if (o !== outEnd) throw new SnappyFormatError(`snappy block gives ${o - outStart} bytes but declares ${outEnd - outStart}`);
}

function copyLiteral(src: Uint8Array, from: number, out: Buffer, to: number, length: number): void {
  if (length < 64) for (let i = 0; i < length; i++) out[to + i] = src[from + i]!;
  else out.set(src.subarray(from, from + length), to);
}

function copyBack(out: Buffer, to: number, offset: number, length: number): void {
  if (offset >= length && length >= 64) out.copyWithin(to, to - offset, to - offset + length);
  else for (let i = 0; i < length; i++) out[to + i] = out[to - offset + i]!;
}

function corrupt(pos: number, what: string): SnappyFormatError {
  return new SnappyFormatError(`snappy block is corrupt: ${what} at byte ${pos} reaches past the block's input or declared output`);
}
