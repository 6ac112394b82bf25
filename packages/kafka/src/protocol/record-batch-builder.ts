/**
 * Kafka's v2 record batches written a record at a time (Kafka's MemoryRecordsBuilder): what the producer appends
 * each record to, and what encodeRecordBatch (record-batch-encoder.ts) builds a batch with.
 */
import { compress as deflate } from './compress.js';
import { crc32c } from './crc32c.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK, CRC_OFFSET, LEADER_EPOCH_OFFSET, LOG_OVERHEAD, MAGIC_V2, RECORDS_START, TRANSACTIONAL } from './record-batch-layout.js';
import { bytesSize, readVarint, readVarlong, varintEnd, varintSize, varlongSize, writeBytes, writeVarint, writeVarlong } from './record-varint.js';

/**
 * One record to encode: a decoded record's fields (see DecodedRecord) but its offset, which is its place in the
 * batch.
 */
export interface RecordToEncode {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /**
   * Header values by name, written in the object's order; an array writes the name once per value, in order,
   * and a null value is written as null (length -1), as Kafka allows.
   */
  readonly headers: Readonly<Record<string, Buffer | null | ReadonlyArray<Buffer | null>>>;
  /** Milliseconds since the epoch, in decimal. */
  readonly timestamp: string;
}

/** Compresses a batch's records (codec: 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export type Compress = (codec: number, data: Buffer) => Promise<Buffer>;

/** The batch header's fields; each defaults to what Kafka's Java producer writes outside idempotence. */
export interface EncodeRecordBatchOptions {
  /** Default 0: a producer's batch is given its offsets by the leader. */
  readonly baseOffset?: bigint;
  /** Default -1 (none): the leader stamps its own epoch. */
  readonly partitionLeaderEpoch?: number;
  /** The compression codec, the low three bits of the attributes: 0 none (default), 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression?: number;
  /** Default -1n: no idempotent producer. */
  readonly producerId?: bigint;
  /** Default -1. */
  readonly producerEpoch?: number;
  /** The sequence number of the batch's first record; default -1 (none). */
  readonly baseSequence?: number;
  /** Whether the batch is part of a transaction (attribute bit 4). Default false. */
  readonly transactional?: boolean;
  /** Compresses the records section; by default `compress` from compress.ts (every Kafka codec). */
  readonly compress?: Compress;
}

/**
 * One record batch, written a record at a time, as Kafka's MemoryRecordsBuilder writes it: each record is encoded
 * into the batch's bytes when it is appended, so nothing of the record (its key, value and header buffers) needs to
 * be kept until the batch is sent. `build()` fills in the header and the CRC and seals the batch.
 *
 * The bytes grow by doubling, with room for the header in front, so an uncompressed batch is built without copying
 * its records again. The base timestamp is the first record's; offset deltas count from 0.
 */
export class RecordBatchBuilder {
  #buf: Buffer | undefined;
  #pos = RECORDS_START;
  #count = 0;
  #baseTimestamp = 0;
  #maxTimestamp = Number.NEGATIVE_INFINITY;
  #built = false;

  /** Records appended so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the records so far (the batch adds its 61-byte header, or compresses them). */
  get size(): number {
    return this.#pos - RECORDS_START;
  }

  /**
   * Encode `record` at the end of the batch. Nothing is written when it throws.
   * @throws RangeError when its timestamp is not an integer number of milliseconds, or the batch would outgrow
   *   Kafka's int32 lengths; Error once the batch was built.
   */
  append(record: RecordToEncode): void {
    const timestamp = wholeMillis(record.timestamp);
    if (timestamp === undefined) throw new RangeError(`has timestamp "${record.timestamp}", not an integer number of milliseconds since the epoch`);
    this.#appendAt(timestamp, record);
  }

  /**
   * The batch: its header (`options` gives the producer fields, base offset and leader epoch), its records,
   * compressed as `options.compression` says, and its CRC. The builder takes no records after this.
   * @throws RangeError when it holds no records or the codec is not one of Kafka's; Error from the codec.
   */
  async build(options: EncodeRecordBatchOptions = {}): Promise<Buffer> {
    const codec = options.compression ?? 0;
    if (!Number.isInteger(codec) || codec < 0 || codec > COMPRESSION_MASK) throw new RangeError(`compression codec must be an integer from 0 to 7, got ${String(codec)}`);
    if (this.#count === 0) throw new RangeError('a record batch holds at least one record; none were given');
    this.#built = true;
    let batch: Buffer;
    if (codec === 0) {
      batch = this.#buf!.subarray(0, this.#pos);
    } else {
      const compressed = await (options.compress ?? deflate)(codec, this.#buf!.subarray(RECORDS_START, this.#pos));
      batch = Buffer.allocUnsafe(RECORDS_START + compressed.length);
      compressed.copy(batch, RECORDS_START);
    }
    batch.writeBigInt64BE(options.baseOffset ?? 0n, 0);
    batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
    batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, LEADER_EPOCH_OFFSET);
    batch.writeInt8(MAGIC_V2, 16);
    batch.writeInt16BE(codec | (options.transactional ? TRANSACTIONAL : 0), ATTRIBUTES_OFFSET);
    batch.writeInt32BE(this.#count - 1, 23);
    batch.writeBigInt64BE(BigInt(this.#baseTimestamp), 27);
    batch.writeBigInt64BE(BigInt(this.#maxTimestamp), 35);
    batch.writeBigInt64BE(options.producerId ?? -1n, 43);
    batch.writeInt16BE(options.producerEpoch ?? -1, 51);
    batch.writeInt32BE(options.baseSequence ?? -1, 53);
    batch.writeInt32BE(this.#count, 57);
    batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_OFFSET), CRC_OFFSET);
    return batch;
  }

  /**
   * Records `from` to `to` (exclusive) in a new builder, their offset and timestamp deltas written anew from the
   * new batch's first record; their keys, values and headers are copied as they are. What a batch the broker
   * refused as too large is split into.
   */
  slice(from: number, to: number): RecordBatchBuilder {
    const piece = new RecordBatchBuilder();
    const buf = this.#buf!;
    let pos = RECORDS_START;
    for (let k = 0; k < to && k < this.#count; k++) {
      const start = varintEnd(buf, pos);
      const end = start + readVarint(buf, pos);
      if (k >= from) {
        let at = start + 1; // past the attributes
        const delta = readVarlong(buf, at);
        at = varintEnd(buf, varintEnd(buf, at)); // past the timestamp and offset deltas
        piece.#appendAt(this.#baseTimestamp + delta, buf.subarray(at, end));
      }
      pos = end;
    }
    return piece;
  }

  /** A record, or a record's key, value and headers already encoded (by slice()), at `timestamp`. */
  #appendAt(timestamp: number, record: RecordToEncode | Buffer): void {
    if (this.#built) throw new Error('the record batch was built; it takes no more records');
    const base = this.#count === 0 ? timestamp : this.#baseTimestamp;
    const delta = timestamp - base;
    const encoded = Buffer.isBuffer(record);
    let body = 1 + varlongSize(delta) + varintSize(this.#count);
    let headerCount = 0;
    let named = 0;
    if (encoded) body += record.length;
    else {
      const { key, value, headers } = record;
      body += bytesSize(key) + bytesSize(value);
      for (const name in headers) {
        const v = headers[name];
        if (v === undefined) continue;
        const entry = headerName(name);
        // The write below takes the names in this order from here, rather than looking each up again.
        NAMES_IN_ORDER[named++] = entry;
        if (Array.isArray(v)) {
          for (const each of v as ReadonlyArray<Buffer | null>) body += entry.length + bytesSize(each);
          headerCount += v.length;
        } else {
          body += entry.length + bytesSize(v as Buffer | null);
          headerCount++;
        }
      }
      body += varintSize(headerCount);
    }
    const size = varintSize(body) + body;
    if (this.size + size > MAX_SECTION) {
      NAMES_IN_ORDER.fill(undefined, 0, named);
      throw new RangeError(`takes ${size} bytes, and the batch holds ${this.size}: more than a record batch can hold (${MAX_SECTION})`);
    }
    const out = this.#room(size);
    let pos = writeVarint(out, this.#pos, body);
    out[pos++] = 0; // record attributes: unused
    pos = writeVarlong(out, pos, delta);
    pos = writeVarint(out, pos, this.#count);
    if (encoded) {
      record.copy(out, pos);
      pos += record.length;
    } else {
      const { key, value, headers } = record;
      pos = writeBytes(out, pos, key);
      pos = writeBytes(out, pos, value);
      pos = writeVarint(out, pos, headerCount);
      named = 0;
      for (const name in headers) {
        const v = headers[name];
        if (v === undefined) continue;
        const entry = NAMES_IN_ORDER[named]!;
        NAMES_IN_ORDER[named++] = undefined;
        if (Array.isArray(v)) {
          for (const each of v as ReadonlyArray<Buffer | null>) {
            out.set(entry, pos);
            pos = writeBytes(out, pos + entry.length, each);
          }
        } else {
          out.set(entry, pos);
          pos = writeBytes(out, pos + entry.length, v as Buffer | null);
        }
      }
    }
    this.#pos = pos;
    this.#baseTimestamp = base;
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    this.#count++;
  }

  /** The buffer, with room for `size` more bytes: the first record's exact size, then doubling. */
  #room(size: number): Buffer {
    const needed = this.#pos + size;
    const buf = this.#buf;
    if (buf !== undefined && needed <= buf.length) return buf;
    const grown = Buffer.allocUnsafe(buf === undefined ? needed : Math.max(needed, buf.length * 2));
    if (buf !== undefined) buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
    return grown;
  }
}

/** A record's timestamp text as milliseconds since the epoch; undefined when it is not a whole number of them. */
export function wholeMillis(timestamp: string): number | undefined {
  const millis = Number(timestamp);
  return Number.isSafeInteger(millis) ? millis : undefined;
}

/** The most bytes of records a batch's int32 length leaves room for after its header. */
const MAX_SECTION = 2 ** 31 - 1 - (RECORDS_START - LOG_OVERHEAD);

/**
 * Header names as written, by name: the varint length, then the UTF-8 bytes. Records of one stream carry the
 * same few names, so each is encoded once; the cache is dropped whole when it grows past a bound, so names that
 * never repeat cannot make it grow forever.
 */
const NAMES = new Map<string, Buffer>();
const MAX_NAMES = 1024;

function headerName(name: string): Buffer {
  let entry = NAMES.get(name);
  if (entry === undefined) {
    if (NAMES.size >= MAX_NAMES) NAMES.clear();
    const bytes = Buffer.from(name, 'utf8');
    entry = Buffer.allocUnsafe(varintSize(bytes.length) + bytes.length);
    bytes.copy(entry, writeVarint(entry, 0, bytes.length));
    NAMES.set(name, entry);
  }
  return entry;
}

/**
 * The header names of the record being appended, in the order its size was counted, for its writing, which walks
 * the headers in the same order right after (both run in one synchronous stretch) and clears each slot it uses.
 */
const NAMES_IN_ORDER: Array<Buffer | undefined> = [];
