/**
 * Kafka's wire primitives, as the protocol guide lays them out: what the request and response codecs of this
 * folder are written with. Non-flexible versions use big-endian integers, int16-prefixed strings and
 * int32-counted arrays; flexible versions (KIP-482) use the compact forms (unsigned varint lengths plus one, so
 * 0 is null) and end each structure with its tagged fields.
 */
import { byTopic, type TopicPartition } from '../admin/topic-partition.js';

/** Builds a request body field by field. */
export class Writer {
  readonly #chunks: Buffer[] = [];

  int8(v: number): void {
    const b = Buffer.allocUnsafe(1);
    b.writeInt8(v);
    this.#chunks.push(b);
  }
  int16(v: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(v);
    this.#chunks.push(b);
  }
  int32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(v);
    this.#chunks.push(b);
  }
  int64(v: bigint): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    this.#chunks.push(b);
  }
  string(v: string): void {
    const bytes = Buffer.from(v, 'utf8');
    this.int16(bytes.length);
    this.#chunks.push(bytes);
  }
  /** A string the protocol allows to be null (length -1). */
  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }
  /** Bytes with an int32 length before them, taken as they are (not copied until `done`). */
  bytes(v: Buffer): void {
    this.int32(v.length);
    this.#chunks.push(v);
  }
  /**
   * Kafka's `[Topic [Partition ...]]` arrays: the partitions grouped under their topic's name, topics in
   * first-seen order; `each` writes one partition's fields.
   */
  partitionsByTopic<P extends TopicPartition>(partitions: readonly P[], each: (p: P) => void): void {
    const grouped = byTopic(partitions);
    this.int32(grouped.size);
    for (const [topic, list] of grouped) {
      this.string(topic);
      this.int32(list.length);
      for (const p of list) each(p);
    }
  }
  /** An unsigned varint (flexible versions' lengths and counts). */
  uvarint(v: number): void {
    const out: number[] = [];
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    this.#chunks.push(Buffer.from(out));
  }
  /** A compact string the protocol allows to be null (length + 1 as an unsigned varint; 0 for null). */
  compactNullableString(v: string | null): void {
    if (v === null) return this.uvarint(0);
    const bytes = Buffer.from(v, 'utf8');
    this.uvarint(bytes.length + 1);
    this.#chunks.push(bytes);
  }
  compactString(v: string): void {
    this.compactNullableString(v);
  }
  /** A compact array of `items`, each written by `each`. */
  compactArray<T>(items: readonly T[], each: (item: T) => void): void {
    this.uvarint(items.length + 1);
    for (const item of items) each(item);
  }
  /** The tagged fields that end a flexible structure: none. */
  noTaggedFields(): void {
    this.uvarint(0);
  }
  done(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** Reads a response body; a read past its end throws a RangeError naming `what` and where it ended. */
export class BodyReader {
  #pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}

  #need(n: number): number {
    const at = this.#pos;
    if (at + n > this.buf.length) throw new RangeError(`${this.what} ends at byte ${this.buf.length}, ${n} more expected at byte ${at}`);
    this.#pos += n;
    return at;
  }
  int8(): number {
    return this.buf.readInt8(this.#need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.#need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.#need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.#need(8));
  }
  string(): string {
    const length = this.int16();
    if (length < 0) throw new RangeError(`${this.what} has a null string at byte ${this.#pos - 2} where one is required`);
    const at = this.#need(length);
    return this.buf.toString('utf8', at, at + length);
  }
  /** A string the protocol allows to be null (length -1). */
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const at = this.#need(length);
    return this.buf.toString('utf8', at, at + length);
  }
  /** Bytes not read yet. */
  remaining(): number {
    return this.buf.length - this.#pos;
  }
  take(n: number): Buffer {
    const at = this.#need(n);
    return this.buf.subarray(at, at + n);
  }
  /** Kafka's `[Topic [Partition ...]]` arrays: `each` reads one partition's fields, told its topic. */
  partitionsByTopic(each: (topic: string) => void): void {
    for (let t = this.int32(); t > 0; t--) {
      const topic = this.string();
      for (let p = this.int32(); p > 0; p--) each(topic);
    }
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf.readUInt8(this.#need(1));
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new RangeError(`${this.what} has an unsigned varint longer than 5 bytes at byte ${this.#pos}`);
  }
  /** A compact string the protocol allows to be null. */
  compactNullableString(): string | null {
    const length = this.uvarint() - 1;
    if (length < 0) return null;
    const at = this.#need(length);
    return this.buf.toString('utf8', at, at + length);
  }
  compactString(): string {
    const value = this.compactNullableString();
    if (value === null) throw new RangeError(`${this.what} has a null compact string where one is required`);
    return value;
  }
  /** A compact array: `each` reads one item; a null array reads as empty. */
  compactArray(each: () => void): void {
    for (let n = this.uvarint() - 1; n > 0; n--) each();
  }
  /** Step over the tagged fields that end a flexible structure (none of them is used here). */
  skipTaggedFields(): void {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint();
      this.#need(this.uvarint());
    }
  }
  /** Step over an array of int32 (replica lists the caller has no use for). */
  skipInt32Array(): void {
    const count = this.int32();
    if (count > 0) this.#need(4 * count);
  }
}
