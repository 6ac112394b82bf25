import { describe, expect, it } from 'vitest';
import { CompressionCodec, decompress } from '../../src/protocol/decompress.js';
import { decodeRecordBatches, type DecodedRecord } from '../../src/protocol/record-batch.js';
import { encodeRecordBatch, type RecordToEncode } from '../../src/protocol/record-batch-encoder.js';
import { batchVectors, readVector, sha256 } from '../support/compression-vectors.js';

const CODECS = Object.values(CompressionCodec);
const RECORDS_START = 61;

/** Bytes as a short comparable text: deep equality walks a Buffer byte by byte, too slow for megabytes. */
const text = (b: Buffer | null) => (b === null ? null : b.length <= 64 ? b.toString('hex') : `${b.length}:${sha256(b)}`);

/** A record's headers as the decoder gives them all: every (name, value) in order, null values included. */
const headerList = (r: DecodedRecord) => (r.headerList ?? Object.entries(r.headers)).map(([name, v]) => [name, text(v)]);

/** The (name, value) pairs a record's header map writes, in order: an array is its name once per value. */
const written = (headers: RecordToEncode['headers']) => Object.entries(headers).flatMap(([name, v]) => (Array.isArray(v) ? v.map((each: Buffer | null) => [name, text(each)]) : [[name, text(v as Buffer | null)]]));

/** Records of every shape the format allows, from a fixed seed. */
function generated(seed: number, count: number): RecordToEncode[] {
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T>(...options: T[]) => options[Math.floor(random() * options.length)]!;
  const bytes = (max: number) => Buffer.from(Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256)));
  const field = () => pick<Buffer | null>(null, Buffer.alloc(0), bytes(40), Buffer.from(pick('ключ', 'ünïcödé ✓', '🦀 crab'), 'utf8'), bytes(3000));
  const base = 1_700_000_000_000;
  return Array.from({ length: count }, (_, i) => {
    const headers: Record<string, Buffer | null | Array<Buffer | null>> = {};
    for (let h = Math.floor(random() * 12); h > 0; h--) {
      const name = pick('trace', 'ünï-name', '', `h${h}`, 'x'.repeat(200), 'емкость');
      headers[name] = random() < 0.3 ? Array.from({ length: 1 + Math.floor(random() * 3) }, field) : field();
    }
    return {
      key: field(),
      value: i % 7 === 3 ? null : field(),
      headers,
      // Deltas from the first record both ways, some beyond 32 bits.
      timestamp: String(base + pick(0, i, -i * 1000, 2 ** 40, -(2 ** 36), 5)),
    };
  });
}

/** Encode, decode with the CRC checked, and compare every field with what was encoded. */
async function roundTrip(records: RecordToEncode[], compression: number, baseOffset = 0n): Promise<void> {
  const batch = await encodeRecordBatch(records, { compression, baseOffset });
  const { records: out, next } = await decodeRecordBatches(batch, 0n, { checkCrcs: true });
  expect(next).toBe(baseOffset + BigInt(records.length));
  expect(out.map((r) => [r.offset, r.timestamp, text(r.key), text(r.value), headerList(r)])).toEqual(records.map((r, i) => [baseOffset + BigInt(i), r.timestamp, text(r.key), text(r.value), written(r.headers)]));
}

describe('encodeRecordBatch', () => {
  it('writes, byte for byte, the batch Kafka\'s Java producer code wrote for the same records (MemoryRecords.withRecords)', async () => {
    for (const vector of batchVectors.filter((v) => v.codec === 0)) {
      const java = readVector(vector.file);
      const { records } = await decodeRecordBatches(java, 0n);
      const ours = await encodeRecordBatch(records, { baseOffset: BigInt(vector.baseOffset) });
      expect(ours.equals(java), vector.file).toBe(true);
    }
  });

  it.each(batchVectors.filter((v) => v.codec !== 0).map((v) => [v.file, v] as const))(
    'writes the records section that Java compressed in %s, and a batch of the same records with the same codec',
    async (_, vector) => {
      const java = readVector(vector.file);
      const { records } = await decodeRecordBatches(java, 0n);
      const plain = await encodeRecordBatch(records, { baseOffset: BigInt(vector.baseOffset) });
      const inflated = await decompress(vector.codec, java.subarray(RECORDS_START));
      expect(plain.subarray(RECORDS_START).equals(inflated)).toBe(true);
      // The header up to the CRC's coverage but the length (compressed sizes differ by library), and after it.
      const ours = await encodeRecordBatch(records, { baseOffset: BigInt(vector.baseOffset), compression: vector.codec });
      expect([ours.subarray(0, 8), ours.subarray(12, 17), ours.subarray(21, RECORDS_START)]).toEqual([java.subarray(0, 8), java.subarray(12, 17), java.subarray(21, RECORDS_START)]);
      const again = await decodeRecordBatches(ours, 0n);
      const shown = (list: DecodedRecord[]) => list.map((r) => [r.offset, r.timestamp, text(r.key), text(r.value), headerList(r)]);
      expect(shown(again.records)).toEqual(shown(records));
    },
  );

  it.each(CODECS.map((c) => [c] as const))('round-trips records of every shape with codec %i: null and empty keys and values, many, null and repeated headers, unicode', async (codec) => {
    for (let round = 0; round < 8; round++) await roundTrip(generated(round * 7919 + codec, 1 + round * 9), codec, BigInt(round) * 1_000_003n);
  });

  it.each(CODECS.map((c) => [c] as const))('round-trips a value over 1 MiB and a batch over 4 MiB with codec %i', async (codec) => {
    const big = Buffer.alloc(1.5 * 1024 * 1024, 'tributary ');
    const many = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(16 * 1024, i), headers: { id: Buffer.from(String(i)) }, timestamp: String(1_700_000_000_000 + i) }));
    await roundTrip([{ key: null, value: big, headers: {}, timestamp: '1' }], codec);
    await roundTrip(many, codec);
  });

  it('writes null header values as length -1 and repeated names once per value, in order', async () => {
    const batch = await encodeRecordBatch([{ key: null, value: null, headers: { a: null, b: [Buffer.from('1'), null, Buffer.from('2')], c: Buffer.alloc(0) }, timestamp: '0' }]);
    // length, attributes, timestamp delta, offset delta, key -1, value -1, 5 headers.
    const section = batch.subarray(RECORDS_START);
    expect([...section.subarray(1, 7)]).toEqual([0, 0, 0, 1, 1, 10]);
    const [record] = (await decodeRecordBatches(batch, 0n)).records;
    expect(record!.headerList).toEqual([
      ['a', null],
      ['b', Buffer.from('1')],
      ['b', null],
      ['b', Buffer.from('2')],
      ['c', Buffer.alloc(0)],
    ]);
  });

  it("fills the header as Kafka's format says: producer id, epoch, base sequence, leader epoch, attributes, timestamps", async () => {
    const records = [
      { key: null, value: Buffer.from('a'), headers: {}, timestamp: '1000' },
      { key: null, value: Buffer.from('b'), headers: {}, timestamp: '3000' },
      { key: null, value: Buffer.from('c'), headers: {}, timestamp: '500' },
    ];
    const batch = await encodeRecordBatch(records, { baseOffset: 7n, partitionLeaderEpoch: 4, producerId: 123456789012n, producerEpoch: 3, baseSequence: 2_147_483_000, transactional: true, compression: CompressionCodec.gzip });
    expect(batch.readBigInt64BE(0)).toBe(7n);
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    expect([batch.readInt32BE(12), batch.readInt8(16), batch.readInt16BE(21), batch.readInt32BE(23)]).toEqual([4, 2, 0x10 | 1, 2]);
    // The base timestamp is the first record's, as Java's producer writes it; the max is the largest.
    expect([batch.readBigInt64BE(27), batch.readBigInt64BE(35)]).toEqual([1000n, 3000n]);
    expect([batch.readBigInt64BE(43), batch.readInt16BE(51), batch.readInt32BE(53), batch.readInt32BE(57)]).toEqual([123456789012n, 3, 2_147_483_000, 3]);
    const decoded = await decodeRecordBatches(batch, 0n);
    expect(decoded.records.map((r) => [r.offset, r.timestamp])).toEqual([
      [7n, '1000'],
      [8n, '3000'],
      [9n, '500'],
    ]);
    expect(decoded.lastEpoch).toBe(4);
    // Outside idempotence: producer id, epoch and sequence -1, as Java's producer writes them.
    const plain = await encodeRecordBatch(records);
    expect([plain.readBigInt64BE(0), plain.readInt32BE(12), plain.readBigInt64BE(43), plain.readInt16BE(51), plain.readInt32BE(53)]).toEqual([0n, -1, -1n, -1, -1]);
  });

  it('covers every byte from the attributes on with its CRC: any one changed is refused by the decoder', async () => {
    const batch = await encodeRecordBatch(generated(5, 4), { compression: 0 });
    for (let at = 21; at < batch.length; at += Math.max(1, Math.floor(batch.length / 97))) {
      const bad = Buffer.from(batch);
      bad[at]! ^= 0x01;
      await expect(decodeRecordBatches(bad, 0n), `byte ${at}`).rejects.toThrow(/CRC field/);
    }
  });

  it('refuses no records, a timestamp that is not whole milliseconds, and an unknown codec, naming what was wrong', async () => {
    await expect(encodeRecordBatch([])).rejects.toThrow(/at least one record/);
    await expect(encodeRecordBatch([{ key: null, value: null, headers: {}, timestamp: '0' }, { key: null, value: null, headers: {}, timestamp: 'soon' }])).rejects.toThrow(/record 1 has timestamp "soon"/);
    await expect(encodeRecordBatch([{ key: null, value: null, headers: {}, timestamp: '0' }], { compression: 5 })).rejects.toThrow(/codec 5/);
    await expect(encodeRecordBatch([{ key: null, value: null, headers: {}, timestamp: '0' }], { compression: 9 })).rejects.toThrow(RangeError);
  });
});
