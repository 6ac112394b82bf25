/**
 * Writes v2 record batches byte by byte from Kafka's format description, for decoder tests: independent of
 * the decoder under test and of kafkajs, and able to set what producers never do (control batches, append
 * time, repeated header names, a wrong CRC).
 */
import { crc32c } from '../../src/protocol/crc32c.js';

export interface TestRecord {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Array<[string, Buffer | null]>;
}

export interface TestBatch {
  baseOffset: bigint;
  baseTimestamp?: number;
  maxTimestamp?: number;
  attributes?: number;
  producerId?: bigint;
  lastOffsetDelta?: number;
  records: TestRecord[];
  /** Replace the record section with these bytes (a compressed one); `records` still gives the count. */
  recordSection?: Buffer;
  /** Write this CRC instead of the right one. */
  crc?: number;
  /** The partitionLeaderEpoch field: the epoch of the leader that appended the batch. Default 0. */
  leaderEpoch?: number;
}

function varint(n: number): Buffer {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function bytesField(b: Buffer | null): Buffer {
  return b === null ? varint(-1) : Buffer.concat([varint(b.length), b]);
}

export function encodeRecords(records: TestRecord[]): Buffer {
  return Buffer.concat(
    records.map((r, i) => {
      const headers = r.headers ?? [];
      const body = Buffer.concat([
        Buffer.from([0]),
        varint(r.timestampDelta ?? 0),
        varint(r.offsetDelta ?? i),
        bytesField(r.key),
        bytesField(r.value),
        varint(headers.length),
        ...headers.map(([name, value]) => Buffer.concat([bytesField(Buffer.from(name, 'utf8')), bytesField(value)])),
      ]);
      return Buffer.concat([varint(body.length), body]);
    }),
  );
}

export function encodeBatch(batch: TestBatch): Buffer {
  const section = batch.recordSection ?? encodeRecords(batch.records);
  const head = Buffer.alloc(61);
  head.writeBigInt64BE(batch.baseOffset, 0);
  head.writeInt32BE(61 - 12 + section.length, 8);
  head.writeInt32BE(batch.leaderEpoch ?? 0, 12); // partition leader epoch
  head.writeInt8(2, 16); // magic
  // 17: the CRC, written last over the bytes from the attributes on.
  head.writeInt16BE(batch.attributes ?? 0, 21);
  head.writeInt32BE(batch.lastOffsetDelta ?? Math.max(0, batch.records.length - 1), 23);
  head.writeBigInt64BE(BigInt(batch.baseTimestamp ?? 1_700_000_000_000), 27);
  head.writeBigInt64BE(BigInt(batch.maxTimestamp ?? batch.baseTimestamp ?? 1_700_000_000_000), 35);
  head.writeBigInt64BE(batch.producerId ?? -1n, 43);
  head.writeInt16BE(0, 51);
  head.writeInt32BE(0, 53);
  head.writeInt32BE(batch.records.length, 57);
  const bytes = Buffer.concat([head, section]);
  bytes.writeUInt32BE(batch.crc ?? crc32c(bytes, 21), 17);
  return bytes;
}

/** A control batch holding one marker: type 0 abort, 1 commit. */
export function controlBatch(baseOffset: bigint, producerId: bigint, type: 0 | 1): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return encodeBatch({ baseOffset, producerId, attributes: 0x10 | 0x20, records: [{ key, value: Buffer.alloc(6) }] });
}
