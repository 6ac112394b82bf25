/**
 * The variable-length integers of Kafka's v2 records: zig-zag varints (int32) and varlongs (int64, here within
 * 2^53), as Kafka's ByteUtils writes them, and length-prefixed bytes (-1 for null). For the record batch builder;
 * the decoder (record-batch.ts) reads with bounds checks of its own.
 */

/** Length-prefixed bytes; null is length -1. */
export function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

export function writeBytes(out: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) {
    out[pos] = 1; // zig-zag -1
    return pos + 1;
  }
  pos = writeVarint(out, pos, b.length);
  b.copy(out, pos);
  return pos + b.length;
}

/** The zig-zag varint length of an int32. */
export function varintSize(n: number): number {
  const v = ((n << 1) ^ (n >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

export function writeVarint(out: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** The zig-zag varint length of an integer of up to 2^53 (a timestamp delta), as Kafka's varlong writes it. */
export function varlongSize(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

export function writeVarlong(out: Buffer, pos: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  if (v < 0x80000000) return writeVarint(out, pos, n);
  while (v >= 0x80) {
    out[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}

/*
 * Reading back what this module wrote (slice() re-frames records): no bounds checks, the bytes are our own.
 */

/** The zig-zag varint at `pos`. */
export function readVarint(buf: Buffer, pos: number): number {
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = buf[pos++]!;
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while ((byte & 0x80) !== 0);
  return (result >>> 1) ^ -(result & 1);
}

/** Where the varint (or varlong) at `pos` ends. */
export function varintEnd(buf: Buffer, pos: number): number {
  while ((buf[pos]! & 0x80) !== 0) pos++;
  return pos + 1;
}

/** The zig-zag varlong at `pos`, as a Number (exact within 2^53). */
export function readVarlong(buf: Buffer, pos: number): number {
  let result = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = buf[pos++]!;
    result += (byte & 0x7f) * scale;
    scale *= 128;
  } while ((byte & 0x80) !== 0);
  return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
}
