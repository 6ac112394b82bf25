import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches, RecordBatchFormatError, type Decompress } from '../../src/kafka/record-batch.js';
import { controlBatch, encodeBatch, encodeRecords, type TestRecord } from '../support/record-batch-writer.js';

const gzip: Decompress = async (codec, data) => {
  expect(codec).toBe(1);
  return gunzipSync(data);
};
const none: Decompress = async () => {
  throw new Error('no compressed batch expected');
};
const TRANSACTIONAL = 0x10;

function records(n: number, prefix = 'v'): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: i % 2 ? null : Buffer.from(`k${i}`), value: Buffer.from(`${prefix}${i}`), headers: [['h', Buffer.from(`${i}`)]] }));
}

describe('decodeRecordBatches', () => {
  it('reads every record of consecutive batches with offsets, timestamps, keys, values and headers', async () => {
    const bytes = Buffer.concat([
      encodeBatch({ baseOffset: 10n, baseTimestamp: 1_000, records: [{ key: Buffer.from('a'), value: Buffer.from('x'), timestampDelta: 5, headers: [['ünï', Buffer.from('1')], ['empty', Buffer.alloc(0)]] }] }),
      encodeBatch({ baseOffset: 11n, baseTimestamp: 2_000, records: [{ key: null, value: null, offsetDelta: 0 }, { key: null, value: Buffer.from('y'), offsetDelta: 1, timestampDelta: -3 }] }),
    ]);
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, none);
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [10n, '1005', 'a', 'x'],
      [11n, '2000', null, null],
      [12n, '1997', null, 'y'],
    ]);
    expect(out[0]!.headers).toEqual({ ünï: Buffer.from('1'), empty: Buffer.alloc(0) });
    expect(out[1]!.headers).toEqual({});
    expect(next).toBe(13n);
  });

  it('leaves out records before the requested offset, also inside a batch', async () => {
    const bytes = Buffer.concat([encodeBatch({ baseOffset: 0n, records: records(5) }), encodeBatch({ baseOffset: 5n, records: records(5, 'w') })]);
    const { records: out, next } = await decodeRecordBatches(bytes, 3n, none);
    expect(out.map((r) => r.offset)).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(out.map((r) => r.value!.toString())).toEqual(['v3', 'v4', 'w0', 'w1', 'w2', 'w3', 'w4']);
    expect(next).toBe(10n);
  });

  it('stops before a batch cut short by the fetch limit, which the next fetch reads whole', async () => {
    const whole = encodeBatch({ baseOffset: 0n, records: records(3) });
    const cut = encodeBatch({ baseOffset: 3n, records: records(3) });
    for (const keep of [0, 5, 12, 40, cut.length - 1]) {
      const { records: out, next } = await decodeRecordBatches(Buffer.concat([whole, cut.subarray(0, keep)]), 0n, none);
      expect(out.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
      expect(next).toBe(3n);
    }
    expect(await decodeRecordBatches(cut.subarray(0, 30), 0n, none)).toEqual({ records: [], next: undefined });
  });

  it('inflates compressed record sections through the codec lookup', async () => {
    const recs = records(50);
    const bytes = encodeBatch({ baseOffset: 100n, attributes: 1, records: recs, recordSection: gzipSync(encodeRecords(recs)) });
    const { records: out } = await decodeRecordBatches(bytes, 120n, gzip);
    expect(out.map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(120 + i)));
    expect(out[0]!.value!.toString()).toBe('v20');
    expect(out[0]!.headers.h!.toString()).toBe('20');
  });

  it("uses the batch's max timestamp for every record when the topic stamps append time", async () => {
    const bytes = encodeBatch({ baseOffset: 0n, attributes: 0x08, baseTimestamp: 1, maxTimestamp: 9_999, records: records(2) });
    const { records: out } = await decodeRecordBatches(bytes, 0n, none);
    expect(out.map((r) => r.timestamp)).toEqual(['9999', '9999']);
  });

  it('keeps the last value of a header name written twice, and leaves out null header values', async () => {
    const bytes = encodeBatch({ baseOffset: 0n, records: [{ key: null, value: Buffer.from('v'), headers: [['a', Buffer.from('1')], ['a', Buffer.from('2')], ['n', null]] }] });
    const { records: out } = await decodeRecordBatches(bytes, 0n, none);
    expect(out[0]!.headers).toEqual({ a: Buffer.from('2') });
  });

  it('skips control batches and moves past them', async () => {
    const bytes = Buffer.concat([encodeBatch({ baseOffset: 0n, producerId: 7n, attributes: TRANSACTIONAL, records: records(2) }), controlBatch(2n, 7n, 1)]);
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, none);
    expect(out.map((r) => r.offset)).toEqual([0n, 1n]);
    expect(next).toBe(3n);
    expect(await decodeRecordBatches(controlBatch(5n, 7n, 1), 0n, none)).toEqual({ records: [], next: 6n });
  });

  it('leaves out the records of aborted transactions, and reads the same producer again after its abort marker', async () => {
    const bytes = Buffer.concat([
      encodeBatch({ baseOffset: 0n, producerId: 7n, attributes: TRANSACTIONAL, records: records(2, 'aborted') }),
      encodeBatch({ baseOffset: 2n, producerId: 8n, attributes: TRANSACTIONAL, records: records(1, 'other') }),
      controlBatch(3n, 7n, 0),
      controlBatch(4n, 8n, 1),
      encodeBatch({ baseOffset: 5n, producerId: 7n, attributes: TRANSACTIONAL, records: records(1, 'committed') }),
      controlBatch(6n, 7n, 1),
    ]);
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, none, [{ producerId: 7n, firstOffset: 0n }]);
    expect(out.map((r) => r.value!.toString())).toEqual(['other0', 'committed0']);
    expect(next).toBe(7n);
    // The abort marker is read even when it lies before the requested offset.
    const later = await decodeRecordBatches(bytes, 4n, none, [{ producerId: 7n, firstOffset: 0n }]);
    expect(later.records.map((r) => r.value!.toString())).toEqual(['committed0']);
  });

  it('names an old message format rather than misreading it', async () => {
    const bytes = encodeBatch({ baseOffset: 0n, records: records(1) });
    bytes.writeInt8(1, 16);
    await expect(decodeRecordBatches(bytes, 0n, none)).rejects.toThrow(RecordBatchFormatError);
    await expect(decodeRecordBatches(bytes, 0n, none)).rejects.toThrow(/message format 1/);
  });

  it('reads what it is given for any record shape (random records round-trip)', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const bytesOf = (max: number) => (random() < 0.1 ? null : Buffer.from(Array.from({ length: Math.floor(random() * max) }, () => Math.floor(random() * 256))));
    for (let round = 0; round < 30; round++) {
      const recs: TestRecord[] = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, i) => ({
        offsetDelta: i,
        timestampDelta: Math.floor((random() - 0.5) * 2 ** 40),
        key: bytesOf(300),
        value: bytesOf(600),
        headers: Array.from({ length: Math.floor(random() * 4) }, (_, h) => [`h${h}`, bytesOf(200) ?? Buffer.alloc(0)] as [string, Buffer]),
      }));
      const base = BigInt(Math.floor(random() * 2 ** 50));
      const { records: out } = await decodeRecordBatches(encodeBatch({ baseOffset: base, baseTimestamp: 2 ** 41, records: recs }), 0n, none);
      expect(out.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).toEqual(
        recs.map((r, i) => [base + BigInt(i), String(2 ** 41 + r.timestampDelta!), r.key, r.value, Object.fromEntries(r.headers!)]),
      );
    }
  });
});
