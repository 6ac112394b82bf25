/**
 * Decoding of Kafka's v2 record batches (message format 2, every broker since 0.11): the bytes a fetch
 * response carries per partition. Written for the consumer's hot path: one pass over the bytes, offsets as one
 * BigInt per record, keys, values and header values as views into the fetched buffer (no copies), and
 * nothing else allocated per record but its header object. Each batch's CRC is checked by default, as Kafka's
 * Java consumer does (`check.crcs`): the broker does not check what it serves from disk, and a corrupt
 * compressed section can otherwise inflate to plausible garbage (zstd frames carry no checksum of their own).
 * Every read is bounded by its batch's declared length, whatever a record's own length field says.
 */
import { crc32c } from './crc32c.js';
import { decompress as inflate } from './decompress.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK, CONTROL, CRC_OFFSET, LEADER_EPOCH_OFFSET, LOG_APPEND_TIME, LOG_OVERHEAD, MAGIC_V2, RECORDS_START, TRANSACTIONAL } from './record-batch-layout.js';
import { viewOf } from './buffer-view.js';

/** One record as it was written, with its exact offset. */
export interface DecodedRecord {
  readonly offset: bigint;
  /** Milliseconds since the epoch, in decimal (the record's create time, or the broker's append time). */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values by name; a name written twice keeps its last value, and a null value is left out. */
  readonly headers: Record<string, Buffer>;
  /**
   * Every header in the order written, null values included: present only when `headers` cannot show them all
   * (a name written twice, or a null value), so the common record pays nothing for it.
   */
  readonly headerList?: ReadonlyArray<readonly [name: string, value: Buffer | null]>;
}

/** A transaction the broker reports aborted, so a read_committed fetch leaves its records out. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** Inflates a compressed batch's records (codec: 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export type Decompress = (codec: number, data: Buffer) => Promise<Buffer>;

export interface DecodeRecordBatchesOptions {
  /** Inflates compressed record sections; by default `decompress` from decompress.ts (every Kafka codec). */
  readonly decompress?: Decompress;
  /** The aborted transactions a read_committed fetch reported: their records are left out. */
  readonly aborted?: readonly AbortedTransaction[];
  /** Check each batch's CRC-32C before reading it (default true), as Kafka's `check.crcs` does. */
  readonly checkCrcs?: boolean;
}

export interface DecodedBatches {
  /** Records at or past `fromOffset`, in offset order; control records and aborted transactions left out. */
  readonly records: DecodedRecord[];
  /**
   * Where the next fetch starts: one past the last whole batch. It can be past the last record (a batch of
   * transaction markers only), and is undefined when the bytes held no whole batch.
   */
  readonly next: bigint | undefined;
  /**
   * The partitionLeaderEpoch of the last batch records were returned from: the epoch of the leader that
   * appended the last record (KIP-320), which a reader sends back when it checks its position after a leader
   * change. Undefined when no record was returned; -1 for batches written before leader epochs existed.
   */
  readonly lastEpoch?: number;
}

const ABORT_MARKER = 0;

/** Where a batch that could not be decoded lies, and how far a reader may safely step over it. */
export interface UndecodableBatch {
  /** The batch's base offset: the first offset it covers. */
  readonly baseOffset: bigint;
  /**
   * The first offset after the batch, when it can be trusted: from the batch's own header when its CRC matched
   * (the failure lies in its records: an unknown codec, a corrupt compressed section), else from the next batch
   * in the same bytes when that one's CRC matches. Undefined when neither holds: then nothing tells how many
   * records the bad bytes hold, and stepping over them could skip records unseen.
   */
  readonly skipTo: bigint | undefined;
  /** The batch's bytes as fetched (all of them when it came whole), for a dead-letter record. */
  readonly bytes: Buffer;
}

/** Thrown for bytes that are not v2 record batches (a corrupt response, or an old message format). */
export class RecordBatchFormatError extends Error {
  override name = 'RecordBatchFormatError';
  /** The batch that failed (set by decodeRecordBatches). */
  batch: UndecodableBatch | undefined;
  /** What the batches before the failed one held: records at or past `fromOffset`, and where they end. */
  before: DecodedBatches | undefined;
}

/**
 * Decode every whole record batch in `bytes` (a fetch response's record set; a partial batch at its end, cut by
 * the fetch's byte limit, is left for the next fetch). The records of aborted transactions listed in
 * `options.aborted` are left out, as Kafka's own consumer does.
 * @throws RecordBatchFormatError naming the batch's base offset when a batch is not message format 2, its CRC
 *   does not match its bytes (with `checkCrcs`), its records do not fit its declared length, or its compressed
 *   section cannot be inflated (the codec's error kept as `cause`). Its `batch` says where the failed batch lies
 *   and how far a reader may step over it; its `before` holds what the batches before it held.
 */
export async function decodeRecordBatches(bytes: Buffer, fromOffset: bigint, options: DecodeRecordBatchesOptions = {}): Promise<DecodedBatches> {
  const { decompress = inflate, aborted = [], checkCrcs = true } = options;
  const records: DecodedRecord[] = [];
  const pendingAborts = aborted.length === 0 ? aborted : [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  let abortIndex = 0;
  const abortedProducers = new Set<bigint>();
  let next: bigint | undefined;
  let lastEpoch: number | undefined;
  let pos = 0;
  // The batch being decoded, for a failure: where it starts, how many records came before it, and whether its
  // CRC matched (then its header can be trusted).
  let batchPos = 0;
  let crcChecked = false;
  let recordsBefore = 0;
  try {
    while (pos + LOG_OVERHEAD <= bytes.length) {
      batchPos = pos;
      crcChecked = false;
      recordsBefore = records.length;
      const baseOffset = bytes.readBigInt64BE(pos);
      const batchLength = bytes.readInt32BE(pos + 8);
      const end = pos + LOG_OVERHEAD + batchLength;
      if (batchLength >= 0 && end > bytes.length) break;
      // (A batch too short to hold its magic byte fails the length check below.)
      const magic = batchLength > 4 ? bytes.readInt8(pos + 16) : MAGIC_V2;
      if (magic !== MAGIC_V2) throw new RecordBatchFormatError(`record batch at offset ${baseOffset} (byte ${pos}) has message format ${magic}; only format 2 (Kafka 0.11 and later) is read`);
      // A length too short for the header would misread it, and a negative one would move backwards forever.
      if (batchLength < RECORDS_START - LOG_OVERHEAD) throw new RecordBatchFormatError(`record batch at offset ${baseOffset} (byte ${pos}) declares ${batchLength} bytes, fewer than its header takes`);
      if (checkCrcs) checkCrc(bytes, pos, end, baseOffset);
      crcChecked = checkCrcs;
      const attributes = bytes.readInt16BE(pos + 21);
      const lastOffset = baseOffset + BigInt(bytes.readInt32BE(pos + 23));
      next = lastOffset + 1n;
      const batchStart = pos;
      pos = end;

      // Transaction bookkeeping runs over every batch, also those before `fromOffset`: an abort marker there
      // closes a transaction the list names.
      if ((attributes & TRANSACTIONAL) !== 0 && pendingAborts.length > 0) {
        const producerId = bytes.readBigInt64BE(batchStart + 43);
        // Transactions that began at or before this batch's end are open now, as far as this fetch can tell.
        while (abortIndex < pendingAborts.length && pendingAborts[abortIndex]!.firstOffset <= lastOffset) abortedProducers.add(pendingAborts[abortIndex++]!.producerId);
        if ((attributes & CONTROL) !== 0) {
          if (controlType(bytes, batchStart + RECORDS_START, end, baseOffset) === ABORT_MARKER) abortedProducers.delete(producerId);
          continue;
        }
        if (abortedProducers.has(producerId)) continue;
      }
      if ((attributes & CONTROL) !== 0 || lastOffset < fromOffset) continue;

      const count = bytes.readInt32BE(batchStart + 57);
      const baseTimestamp = Number(bytes.readBigInt64BE(batchStart + 27));
      const appendTime = (attributes & LOG_APPEND_TIME) !== 0 ? String(bytes.readBigInt64BE(batchStart + 35)) : undefined;
      const codec = attributes & COMPRESSION_MASK;
      const reader = codec === 0 ? new Reader(bytes, batchStart + RECORDS_START, end, baseOffset) : await inflated(decompress, codec, bytes.subarray(batchStart + RECORDS_START, end), baseOffset);
      for (let i = 0; i < count; i++) readRecord(reader, baseOffset, baseTimestamp, appendTime, fromOffset, records);
      if (reader.pos !== reader.end) throw new RecordBatchFormatError(`record batch at offset ${baseOffset} declares ${count} records, and ${reader.end - reader.pos} bytes are left after them`);
      // One read per batch, and only for batches that gave records.
      if (records.length > recordsBefore) lastEpoch = bytes.readInt32BE(batchStart + LEADER_EPOCH_OFFSET);
    }
  } catch (error) {
    if (!(error instanceof RecordBatchFormatError)) throw error;
    error.batch = describeFailedBatch(bytes, batchPos, crcChecked);
    // lastEpoch is set only once a batch is read whole, so it is still that of the batches before the bad one.
    error.before = { records: records.slice(0, recordsBefore), next: error.batch.baseOffset, lastEpoch };
    throw error;
  }
  return { records, next, lastEpoch };
}

/**
 * What is known of a batch that failed at byte `start`: its base offset, its bytes, and the first offset after
 * it when that can be trusted (see {@link UndecodableBatch.skipTo}).
 */
function describeFailedBatch(bytes: Buffer, start: number, headerTrusted: boolean): UndecodableBatch {
  const baseOffset = bytes.readBigInt64BE(start);
  const length = bytes.readInt32BE(start + 8);
  const whole = length >= RECORDS_START - LOG_OVERHEAD && start + LOG_OVERHEAD + length <= bytes.length;
  const end = whole ? start + LOG_OVERHEAD + length : bytes.length;
  let skipTo: bigint | undefined;
  if (whole && headerTrusted) skipTo = baseOffset + BigInt(bytes.readInt32BE(start + 23)) + 1n;
  else if (whole && end + RECORDS_START <= bytes.length) {
    const nextLength = bytes.readInt32BE(end + 8);
    const nextEnd = end + LOG_OVERHEAD + nextLength;
    const nextBase = bytes.readBigInt64BE(end);
    if (nextLength >= RECORDS_START - LOG_OVERHEAD && nextEnd <= bytes.length && nextBase > baseOffset && crc32c(bytes, end + ATTRIBUTES_OFFSET, nextEnd) === bytes.readUInt32BE(end + CRC_OFFSET)) skipTo = nextBase;
  }
  return { baseOffset, skipTo, bytes: bytes.subarray(start, end) };
}

/** The CRC-32C covers the batch from its attributes to its end; the field is an unsigned int32. */
function checkCrc(bytes: Buffer, start: number, end: number, baseOffset: bigint): void {
  const expected = bytes.readUInt32BE(start + CRC_OFFSET);
  const computed = crc32c(bytes, start + ATTRIBUTES_OFFSET, end);
  if (computed !== expected) {
    throw new RecordBatchFormatError(`record batch at offset ${baseOffset} is corrupt: its CRC field is 0x${hex(expected)} but its bytes give 0x${hex(computed)}`);
  }
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}

async function inflated(decompress: Decompress, codec: number, section: Buffer, baseOffset: bigint): Promise<Reader> {
  let records: Buffer;
  try {
    records = await decompress(codec, section);
  } catch (cause) {
    throw new RecordBatchFormatError(`record batch at offset ${baseOffset} could not be inflated (codec ${codec}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  return new Reader(records, 0, records.length, baseOffset);
}

/**
 * Read one record; its fields are bounded by its own length, and that length by the batch's end (`r.end`
 * is narrowed to the record while its fields are read). As Kafka's DefaultRecord does, a record whose fields
 * do not take exactly its length is corrupt.
 */
function readRecord(r: Reader, baseOffset: bigint, baseTimestamp: number, appendTime: string | undefined, fromOffset: bigint, out: DecodedRecord[]): void {
  const length = r.varint();
  const end = r.pos + length;
  if (length <= 0 || end > r.end) throw r.error(`a record declares ${length} bytes where ${r.end - r.pos} are left`);
  const batchEnd = r.end;
  r.end = end;
  r.pos++; // record attributes: unused
  const timestampDelta = r.varlong();
  const offset = baseOffset + BigInt(r.varint());
  if (offset < fromOffset) {
    r.pos = end;
    r.end = batchEnd;
    return;
  }
  const key = r.bytes();
  const value = r.bytes();
  const headerCount = r.varint();
  if (headerCount < 0) throw r.error(`the record at offset ${offset} has ${headerCount} headers`);
  const headers: Record<string, Buffer> = {};
  let list: Array<readonly [string, Buffer | null]> | undefined;
  for (let h = 0; h < headerCount; h++) {
    const nameLength = r.varint();
    if (nameLength < 0 || r.pos + nameLength > end) throw r.error(`header ${h} of the record at offset ${offset} has a name of ${nameLength} bytes`);
    const name = headerName(r.buf, r.pos, nameLength, h);
    r.pos += nameLength;
    const headerValue = r.bytes();
    if (list) list.push([name, headerValue]);
    else if (headerValue === null || headers[name] !== undefined) list = [...Object.entries(headers), [name, headerValue]];
    if (headerValue !== null) headers[name] = headerValue;
  }
  if (r.pos !== end) throw r.error(`the record at offset ${offset} declares ${length} bytes but its fields take ${r.pos - (end - length)}`);
  r.end = batchEnd;
  const timestamp = appendTime ?? String(baseTimestamp + timestampDelta);
  out.push(list ? { offset, timestamp, key, value, headers, headerList: list } : { offset, timestamp, key, value, headers });
}

/**
 * The header names last read at each header position. Records of one stream carry the same names in the same
 * order, so comparing a few bytes usually replaces decoding a string: the name decoding was a tenth of the
 * cost of a record.
 */
const NAMES: Array<{ bytes: Buffer; text: string } | undefined> = [];
const MAX_NAMED_POSITIONS = 32;

function headerName(buf: Buffer, start: number, length: number, position: number): string {
  const known = position < MAX_NAMED_POSITIONS ? NAMES[position] : undefined;
  if (known && known.bytes.length === length) {
    let i = 0;
    while (i < length && known.bytes[i] === buf[start + i]) i++;
    if (i === length) return known.text;
  }
  const text = buf.toString('utf8', start, start + length);
  if (position < MAX_NAMED_POSITIONS && length <= 64) NAMES[position] = { bytes: Buffer.from(buf.subarray(start, start + length)), text };
  return text;
}

/** The type of a control batch's marker: its first record's key is (version int16, type int16). */
function controlType(bytes: Buffer, recordsStart: number, end: number, baseOffset: bigint): number {
  const r = new Reader(bytes, recordsStart, end, baseOffset);
  r.varint(); // length
  r.pos++; // attributes
  r.varlong(); // timestamp delta
  r.varint(); // offset delta
  const key = r.bytes();
  if (key === null || key.length < 4) return -1;
  return key.readInt16BE(2);
}

/**
 * A cursor over a record section, which never reads at or past `end` (its batch's end, or the current record's):
 * zig-zag varints, as the record format writes them.
 */
class Reader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
    readonly baseOffset: bigint,
  ) {}

  /** A format error that names the batch. */
  error(what: string): RecordBatchFormatError {
    return new RecordBatchFormatError(`record batch at offset ${this.baseOffset} is corrupt: ${what}`);
  }

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      if (this.pos >= this.end) throw this.error('it ends inside a varint');
      byte = buf[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while ((byte & 0x80) !== 0 && shift < 35);
    return (result >>> 1) ^ -(result & 1);
  }

  /** A zig-zag varint of up to 64 bits, as a Number (exact within 2^53: timestamps and their deltas). */
  varlong(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    let byte: number;
    do {
      if (this.pos >= this.end) throw this.error('it ends inside a varint');
      byte = buf[this.pos++]!;
      result += (byte & 0x7f) * scale;
      scale *= 128;
    } while ((byte & 0x80) !== 0 && scale < 2 ** 70);
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  /** Length-prefixed bytes; length -1 is null. A view into the buffer, not a copy. */
  bytes(): Buffer | null {
    const length = this.varint();
    if (length < 0) return null;
    const start = this.pos;
    if (start + length > this.end) throw this.error(`a field declares ${length} bytes where ${this.end - start} are left`);
    this.pos += length;
    return viewOf(this.buf, start, length);
  }
}
