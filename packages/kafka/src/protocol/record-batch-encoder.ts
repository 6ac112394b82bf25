/**
 * Encoding of Kafka's v2 record batches (message format 2), the other side of record-batch.ts: what a Produce
 * request carries per partition, laid out as Kafka's message format documentation gives it (record-batch-layout.ts).
 * "The CRC covers the data from the attributes to the end of the batch"; each record is a zig-zag varint length,
 * then attributes int8, timestampDelta varlong, offsetDelta varint, key and value as varint-length bytes (-1 for
 * null), and headers as a varint count of (varint-length name, varint-length value, -1 for null).
 *
 * Written for the producer's hot path: the records' sizes are measured first, then written into one buffer, with
 * header names encoded once per distinct name. Defaults are those of Kafka's Java producer (MemoryRecordsBuilder):
 * the batch's base timestamp is its first record's, and a batch that no idempotent producer wrote carries
 * producer id -1, epoch -1 and sequence -1.
 */
import { compress as deflate } from './compress.js';
import { crc32c } from './crc32c.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK, CRC_OFFSET, LEADER_EPOCH_OFFSET, LOG_OVERHEAD, MAGIC_V2, RECORDS_START, TRANSACTIONAL } from './record-batch-layout.js';

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
 * Encode `records` as one v2 record batch, its CRC-32C included, with its records compressed as
 * `options.compression` says.
 * @throws RangeError naming the record when there are no records, a timestamp is not an integer number of
 *   milliseconds, or the batch would not fit Kafka's int32 lengths; Error from the codec when compression fails.
 */
export async function encodeRecordBatch(records: readonly RecordToEncode[], options: EncodeRecordBatchOptions = {}): Promise<Buffer> {
  const codec = options.compression ?? 0;
  if (!Number.isInteger(codec) || codec < 0 || codec > COMPRESSION_MASK) throw new RangeError(`compression codec must be an integer from 0 to 7, got ${String(codec)}`);
  const section = measure(records);
  let batch: Buffer;
  if (codec === 0) {
    batch = Buffer.allocUnsafe(RECORDS_START + section.size);
    writeRecords(batch, RECORDS_START, records, section);
  } else {
    const plain = Buffer.allocUnsafe(section.size);
    writeRecords(plain, 0, records, section);
    const compressed = await (options.compress ?? deflate)(codec, plain);
    batch = Buffer.allocUnsafe(RECORDS_START + compressed.length);
    compressed.copy(batch, RECORDS_START);
  }
  batch.writeBigInt64BE(options.baseOffset ?? 0n, 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, LEADER_EPOCH_OFFSET);
  batch.writeInt8(MAGIC_V2, 16);
  batch.writeInt16BE(codec | (options.transactional ? TRANSACTIONAL : 0), ATTRIBUTES_OFFSET);
  batch.writeInt32BE(records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(section.baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(section.maxTimestamp), 35);
  batch.writeBigInt64BE(options.producerId ?? -1n, 43);
  batch.writeInt16BE(options.producerEpoch ?? -1, 51);
  batch.writeInt32BE(options.baseSequence ?? -1, 53);
  batch.writeInt32BE(records.length, 57);
  batch.writeUInt32BE(crc32c(batch, ATTRIBUTES_OFFSET), CRC_OFFSET);
  return batch;
}

/** The producer fields of a batch's header (producer id int64 at 43, epoch int16 at 51, base sequence int32 at 53). */
export interface BatchProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

/**
 * A copy of an encoded batch under another producer epoch and base sequence, its CRC computed again (the CRC
 * covers the producer fields): what an idempotent producer sends when it starts a partition's sequence over
 * after a bumped epoch, for batches the broker certainly did not append.
 */
export function restampRecordBatch(batch: Buffer, producer: BatchProducer): Buffer {
  const copy = Buffer.from(batch);
  copy.writeBigInt64BE(producer.producerId, 43);
  copy.writeInt16BE(producer.producerEpoch, 51);
  copy.writeInt32BE(producer.baseSequence, 53);
  copy.writeUInt32BE(crc32c(copy, ATTRIBUTES_OFFSET), CRC_OFFSET);
  return copy;
}

/** What measuring the records found: each record's body length and header count, their timestamps, the section's size. */
interface Section {
  readonly bodies: Int32Array;
  readonly headerCounts: Int32Array;
  readonly timestamps: Float64Array;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly size: number;
}

function measure(records: readonly RecordToEncode[]): Section {
  const count = records.length;
  if (count === 0) throw new RangeError('a record batch holds at least one record; none were given');
  const bodies = new Int32Array(count);
  const headerCounts = new Int32Array(count);
  const timestamps = new Float64Array(count);
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const timestamp = Number(records[i]!.timestamp);
    if (!Number.isSafeInteger(timestamp)) throw new RangeError(`record ${i} has timestamp "${records[i]!.timestamp}", not an integer number of milliseconds since the epoch`);
    timestamps[i] = timestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
  }
  const baseTimestamp = timestamps[0]!;
  let size = 0;
  let named = 0;
  for (let i = 0; i < count; i++) {
    const { key, value, headers } = records[i]!;
    let body = 1 + varlongSize(timestamps[i]! - baseTimestamp) + varintSize(i) + bytesSize(key) + bytesSize(value);
    let headerCount = 0;
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      const entry = headerName(name);
      // writeRecords takes the names in this order from here, rather than looking each up again.
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
    bodies[i] = body;
    headerCounts[i] = headerCount;
    size += varintSize(body) + body;
    if (size > MAX_SECTION) throw new RangeError(`the records up to record ${i} take ${size} bytes, more than a record batch can hold (${MAX_SECTION})`);
  }
  return { bodies, headerCounts, timestamps, baseTimestamp, maxTimestamp, size };
}

/** The most bytes of records a batch's int32 length leaves room for after its header. */
const MAX_SECTION = 2 ** 31 - 1 - (RECORDS_START - LOG_OVERHEAD);

/** Write the records measured as `section` into `out` from `start`. */
function writeRecords(out: Buffer, start: number, records: readonly RecordToEncode[], section: Section): void {
  const { bodies, headerCounts, timestamps, baseTimestamp } = section;
  let pos = start;
  let named = 0;
  for (let i = 0; i < records.length; i++) {
    const { key, value, headers } = records[i]!;
    pos = writeVarint(out, pos, bodies[i]!);
    out[pos++] = 0; // record attributes: unused
    pos = writeVarlong(out, pos, timestamps[i]! - baseTimestamp);
    pos = writeVarint(out, pos, i);
    pos = writeBytes(out, pos, key);
    pos = writeBytes(out, pos, value);
    pos = writeVarint(out, pos, headerCounts[i]!);
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
}

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
 * The header names of the batch being encoded, in the order measure() met them, for writeRecords(), which walks
 * the headers in the same order right after (both run in one synchronous stretch) and clears each slot it uses.
 */
const NAMES_IN_ORDER: Array<Buffer | undefined> = [];

/** Length-prefixed bytes; null is length -1. */
function bytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

function writeBytes(out: Buffer, pos: number, b: Buffer | null): number {
  if (b === null) {
    out[pos] = 1; // zig-zag -1
    return pos + 1;
  }
  pos = writeVarint(out, pos, b.length);
  b.copy(out, pos);
  return pos + b.length;
}

/** The zig-zag varint length of an int32. */
function varintSize(n: number): number {
  const v = ((n << 1) ^ (n >> 31)) >>> 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** The zig-zag varint length of an integer of up to 2^53 (a timestamp delta), as Kafka's varlong writes it. */
function varlongSize(n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function writeVarlong(out: Buffer, pos: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  if (v < 0x80000000) return writeVarint(out, pos, n);
  while (v >= 0x80) {
    out[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[pos++] = v;
  return pos;
}
