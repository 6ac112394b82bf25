/**
 * Kafka's non-flexible wire primitives (big-endian integers, int16-prefixed strings, int32-counted arrays), as
 * the protocol guide lays them out: what the request and response codecs of this folder are written with.
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
  /** Step over an array of int32 (replica lists the caller has no use for). */
  skipInt32Array(): void {
    const count = this.int32();
    if (count > 0) this.#need(4 * count);
  }
}
