import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/protocol/crc32c.js';
import { decodeRecordBatches, RecordBatchFormatError, type Decompress } from '../../src/protocol/record-batch.js';
import { batchVectors, readVector, sha256 } from '../support/compression-vectors.js';
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
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, { decompress: none });
    expect(out.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      [10n, '1005', 'a', 'x'],
      [11n, '2000', null, null],
      [12n, '1997', null, 'y'],
    ]);
    expect(out[0]!.headers).toEqual({ ünï: Buffer.from('1'), empty: Buffer.alloc(0) });
    expect(out[1]!.headers).toEqual({});
    expect(next).toBe(13n);
  });

  it('reports the leader epoch of the last batch it returned records from (KIP-320), not of batches after it with none', async () => {
    const bytes = Buffer.concat([
      encodeBatch({ baseOffset: 0n, leaderEpoch: 3, records: records(2) }),
      encodeBatch({ baseOffset: 2n, leaderEpoch: 5, records: records(2) }),
      encodeBatch({ baseOffset: 4n, leaderEpoch: 6, producerId: 9n, attributes: TRANSACTIONAL | 0x20, records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(6) }] }),
    ]);
    expect((await decodeRecordBatches(bytes, 0n, { decompress: none })).lastEpoch).toBe(5);
    // Batches before the requested offset and control batches return no record: no epoch is reported.
    const none4 = await decodeRecordBatches(bytes, 4n, { decompress: none });
    expect([none4.records.length, none4.next, none4.lastEpoch]).toEqual([0, 5n, undefined]);
    const first = encodeBatch({ baseOffset: 0n, leaderEpoch: 3, records: records(2) });
    const bad = encodeBatch({ baseOffset: 2n, leaderEpoch: 5, records: records(2), crc: 1 });
    const failure = await decodeRecordBatches(Buffer.concat([first, bad]), 0n, { decompress: none }).catch((e: unknown) => e as RecordBatchFormatError);
    expect(failure).toBeInstanceOf(RecordBatchFormatError);
    expect((failure as RecordBatchFormatError).before?.lastEpoch).toBe(3);
  });

  it('leaves out records before the requested offset, also inside a batch', async () => {
    const bytes = Buffer.concat([encodeBatch({ baseOffset: 0n, records: records(5) }), encodeBatch({ baseOffset: 5n, records: records(5, 'w') })]);
    const { records: out, next } = await decodeRecordBatches(bytes, 3n, { decompress: none });
    expect(out.map((r) => r.offset)).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    expect(out.map((r) => r.value!.toString())).toEqual(['v3', 'v4', 'w0', 'w1', 'w2', 'w3', 'w4']);
    expect(next).toBe(10n);
  });

  it('stops before a batch cut short by the fetch limit, which the next fetch reads whole', async () => {
    const whole = encodeBatch({ baseOffset: 0n, records: records(3) });
    const cut = encodeBatch({ baseOffset: 3n, records: records(3) });
    for (const keep of [0, 5, 12, 40, cut.length - 1]) {
      const { records: out, next } = await decodeRecordBatches(Buffer.concat([whole, cut.subarray(0, keep)]), 0n, { decompress: none });
      expect(out.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
      expect(next).toBe(3n);
    }
    expect(await decodeRecordBatches(cut.subarray(0, 30), 0n, { decompress: none })).toEqual({ records: [], next: undefined });
  });

  it('inflates compressed record sections through the codec lookup', async () => {
    const recs = records(50);
    const bytes = encodeBatch({ baseOffset: 100n, attributes: 1, records: recs, recordSection: gzipSync(encodeRecords(recs)) });
    const { records: out } = await decodeRecordBatches(bytes, 120n, { decompress: gzip });
    expect(out.map((r) => r.offset)).toEqual(Array.from({ length: 30 }, (_, i) => BigInt(120 + i)));
    expect(out[0]!.value!.toString()).toBe('v20');
    expect(out[0]!.headers.h!.toString()).toBe('20');
  });

  it("uses the batch's max timestamp for every record when the topic stamps append time", async () => {
    const bytes = encodeBatch({ baseOffset: 0n, attributes: 0x08, baseTimestamp: 1, maxTimestamp: 9_999, records: records(2) });
    const { records: out } = await decodeRecordBatches(bytes, 0n, { decompress: none });
    expect(out.map((r) => r.timestamp)).toEqual(['9999', '9999']);
  });

  it('keeps the last value of a header name written twice and leaves out null values, with every header in headerList', async () => {
    const headers: Array<[string, Buffer | null]> = [['x', Buffer.from('0')], ['a', Buffer.from('1')], ['a', Buffer.from('2')], ['n', null]];
    const bytes = encodeBatch({ baseOffset: 0n, records: [{ key: null, value: Buffer.from('v'), headers }, { key: null, value: Buffer.from('w'), headers: [['x', Buffer.from('9')]] }] });
    const { records: out } = await decodeRecordBatches(bytes, 0n, { decompress: none });
    expect(out[0]!.headers).toEqual({ x: Buffer.from('0'), a: Buffer.from('2') });
    expect(out[0]!.headerList).toEqual(headers);
    // A record whose headers the map shows whole carries no list.
    expect(out[1]!.headerList).toBeUndefined();
  });

  it('skips control batches and moves past them', async () => {
    const bytes = Buffer.concat([encodeBatch({ baseOffset: 0n, producerId: 7n, attributes: TRANSACTIONAL, records: records(2) }), controlBatch(2n, 7n, 1)]);
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, { decompress: none });
    expect(out.map((r) => r.offset)).toEqual([0n, 1n]);
    expect(next).toBe(3n);
    expect(await decodeRecordBatches(controlBatch(5n, 7n, 1), 0n, { decompress: none })).toEqual({ records: [], next: 6n });
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
    const { records: out, next } = await decodeRecordBatches(bytes, 0n, { decompress: none, aborted: [{ producerId: 7n, firstOffset: 0n }] });
    expect(out.map((r) => r.value!.toString())).toEqual(['other0', 'committed0']);
    expect(next).toBe(7n);
    // The abort marker is read even when it lies before the requested offset.
    const later = await decodeRecordBatches(bytes, 4n, { decompress: none, aborted: [{ producerId: 7n, firstOffset: 0n }] });
    expect(later.records.map((r) => r.value!.toString())).toEqual(['committed0']);
  });

  it('names an old message format rather than misreading it', async () => {
    const bytes = encodeBatch({ baseOffset: 0n, records: records(1) });
    bytes.writeInt8(1, 16);
    await expect(decodeRecordBatches(bytes, 0n, { decompress: none })).rejects.toThrow(RecordBatchFormatError);
    await expect(decodeRecordBatches(bytes, 0n, { decompress: none })).rejects.toThrow(/message format 1/);
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
      const { records: out } = await decodeRecordBatches(encodeBatch({ baseOffset: base, baseTimestamp: 2 ** 41, records: recs }), 0n, { decompress: none });
      expect(out.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).toEqual(
        recs.map((r, i) => [base + BigInt(i), String(2 ** 41 + r.timestampDelta!), r.key, r.value, Object.fromEntries(r.headers!)]),
      );
    }
  });
});

/** The error `promise` rejects with, which must be a RecordBatchFormatError. */
async function formatError(promise: Promise<unknown>): Promise<RecordBatchFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecordBatchFormatError);
  return error as RecordBatchFormatError;
}

describe('decodeRecordBatches on corrupt bytes', () => {
  it("checks each batch's CRC, naming the batch's offset, the CRC it carries and the one its bytes give", async () => {
    const good = encodeBatch({ baseOffset: 42n, records: records(2) });
    const bad = encodeBatch({ baseOffset: 42n, records: records(2), crc: 0x12345678 });
    const error = await formatError(decodeRecordBatches(bad, 0n));
    expect(error.message).toBe(`record batch at offset 42 is corrupt: its CRC field is 0x12345678 but its bytes give 0x${crc32c(good, 21).toString(16).padStart(8, '0')}`);
    // One flipped bit in a value, and the batch before the requested offset is checked too (as Java's consumer does).
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5]! ^= 0x04;
    await expect(decodeRecordBatches(Buffer.concat([flipped, encodeBatch({ baseOffset: 44n, records: records(1) })]), 44n)).rejects.toThrow(/offset 42 is corrupt: its CRC/);
  });

  it('says where a failed batch lies, how far a reader may step over it, and what the batches before it held', async () => {
    const first = encodeBatch({ baseOffset: 0n, records: records(2) });
    const corrupt = encodeBatch({ baseOffset: 2n, records: records(3), crc: 0x1 });
    const after = encodeBatch({ baseOffset: 5n, records: records(1) });
    const error = await formatError(decodeRecordBatches(Buffer.concat([first, corrupt, after]), 0n));
    // A CRC mismatch leaves its header untrusted: the extent comes from the next batch, whose CRC matches.
    expect(error.batch).toEqual({ baseOffset: 2n, skipTo: 5n, bytes: corrupt });
    expect(error.before?.records.map((r) => r.offset)).toEqual([0n, 1n]);
    expect(error.before?.next).toBe(2n);
    // With nothing after it, a batch whose CRC failed has no trusted extent.
    expect((await formatError(decodeRecordBatches(corrupt, 2n))).batch?.skipTo).toBeUndefined();
    // A batch whose CRC matched but whose records cannot be read is trusted to end where its header says.
    const unknownCodec = encodeBatch({ baseOffset: 7n, attributes: 7, records: records(3), lastOffsetDelta: 2, recordSection: Buffer.from('???') });
    const codecError = await formatError(decodeRecordBatches(unknownCodec, 7n));
    expect(codecError.batch).toEqual({ baseOffset: 7n, skipTo: 10n, bytes: unknownCodec });
    expect(codecError.before).toEqual({ records: [], next: 7n });
  });

  it('reads a batch with a wrong CRC when told not to check', async () => {
    const bytes = encodeBatch({ baseOffset: 0n, records: records(2), crc: 0 });
    const { records: out } = await decodeRecordBatches(bytes, 0n, { checkCrcs: false });
    expect(out.map((r) => r.value!.toString())).toEqual(['v0', 'v1']);
  });

  it("never reads past a batch's declared end when a record's length lies", async () => {
    const section = encodeRecords(records(1));
    expect(section[0]! / 2).toBeLessThan(50);
    section[0] = section[0]! + 2 * 12; // 12 bytes longer than it is: into the next batch
    const bytes = Buffer.concat([encodeBatch({ baseOffset: 7n, records: records(1), recordSection: section }), encodeBatch({ baseOffset: 8n, records: records(3) })]);
    const error = await formatError(decodeRecordBatches(bytes, 0n));
    expect(error.message).toMatch(/^record batch at offset 7 is corrupt: a record declares \d+ bytes where \d+ are left$/);
  });

  it("never reads past a record's own end when a field's length lies, and wants its fields to fill it", async () => {
    const value = Buffer.from('0123456789');
    const recs: TestRecord[] = [{ key: null, value, headers: [['h', Buffer.from('x')]] }, { key: null, value: Buffer.from('next record') }];
    const batch = (section: Buffer) => encodeBatch({ baseOffset: 3n, records: recs, recordSection: section });
    const section = encodeRecords(recs);
    const at = section.indexOf(value) - 1; // the value's length varint
    section[at] = 2 * 15; // the value takes the headers too, up to the record's end, where the next record starts
    await expect(decodeRecordBatches(batch(section), 0n)).rejects.toThrow('record batch at offset 3 is corrupt: it ends inside a varint');
    section[at] = 2 * 40; // past the record
    await expect(decodeRecordBatches(batch(section), 0n)).rejects.toThrow(/^record batch at offset 3 is corrupt: a field declares 40 bytes where 15 are left$/);
    section[at] = 2 * 10;
    section[section.indexOf(Buffer.from('h')) - 1] = 2 * 30; // the header name's length
    await expect(decodeRecordBatches(batch(section), 0n)).rejects.toThrow('record batch at offset 3 is corrupt: header 0 of the record at offset 3 has a name of 30 bytes');

    // A record one byte longer than its fields.
    const padded = encodeRecords(recs.slice(0, 1));
    padded[0] = padded[0]! + 2;
    const bytes = encodeBatch({ baseOffset: 3n, records: recs.slice(0, 1), recordSection: Buffer.concat([padded, Buffer.alloc(1)]) });
    await expect(decodeRecordBatches(bytes, 0n)).rejects.toThrow(/^record batch at offset 3 is corrupt: the record at offset 3 declares (\d+) bytes but its fields take \d+$/);
  });

  it('refuses a record count that does not match the records', async () => {
    const section = encodeRecords(records(3));
    const tooMany = encodeBatch({ baseOffset: 9n, records: records(3), recordSection: section });
    tooMany.writeInt32BE(4, 57);
    tooMany.writeUInt32BE(crc32c(tooMany, 21), 17);
    await expect(decodeRecordBatches(tooMany, 0n)).rejects.toThrow(/offset 9 is corrupt: it ends inside a varint/);
    const tooFew = Buffer.from(tooMany);
    tooFew.writeInt32BE(2, 57);
    tooFew.writeUInt32BE(crc32c(tooFew, 21), 17);
    await expect(decodeRecordBatches(tooFew, 0n)).rejects.toThrow(/offset 9 declares 2 records, and \d+ bytes are left after them/);
  });

  it('refuses a batch length too short for its header rather than misreading it or looping', async () => {
    for (const length of [-1, 0, 48]) {
      const bytes = encodeBatch({ baseOffset: 5n, records: records(1) });
      bytes.writeInt32BE(length, 8);
      await expect(decodeRecordBatches(bytes, 0n)).rejects.toThrow(`record batch at offset 5 (byte 0) declares ${length} bytes, fewer than its header takes`);
    }
  });

  it("wraps a codec's failure with the batch's offset, keeping the codec's error", async () => {
    const recs = records(3);
    const gzipped = gzipSync(encodeRecords(recs));
    const bytes = encodeBatch({ baseOffset: 11n, attributes: 1, records: recs, recordSection: gzipped.subarray(0, gzipped.length - 6) });
    const error = await formatError(decodeRecordBatches(bytes, 0n));
    expect(error.message).toMatch(/^record batch at offset 11 could not be inflated \(codec 1\): gzip data could not be inflated/);
    expect(error.cause).toBeInstanceOf(Error);
    await expect(decodeRecordBatches(encodeBatch({ baseOffset: 12n, attributes: 6, records: recs }), 0n)).rejects.toThrow(/offset 12 could not be inflated \(codec 6\): compression codec 6 is not one/);
  });
});

describe("decodeRecordBatches on batches Kafka's Java client wrote", () => {
  it.each(batchVectors.map((v) => [v.file, v] as const))('reads %s with the default codecs and a checked CRC', async (_, vector) => {
    const { records: out, next } = await decodeRecordBatches(readVector(vector.file), 0n);
    const base = BigInt(vector.baseOffset);
    expect(out.map((r) => r.offset)).toEqual(Array.from({ length: vector.count }, (_, i) => base + BigInt(i)));
    expect(next).toBe(base + BigInt(vector.count));
    expect(sha256(...out.flatMap((r) => (r.value ? [r.value] : [])))).toBe(vector.valuesSha256);
    if (vector.shape === 'small') {
      expect(out.map((r) => [r.timestamp, r.key?.toString() ?? null, r.value === null ? null : r.value.length > 100 ? r.value.length : r.value.toString()])).toEqual([
        ['1700000000000', 'k0', 'hello from Java'],
        ['1700000000005', null, null],
        ['1699999999990', 'k2', 3000],
        ['1700000000001', 'ключ', 'ünï'],
      ]);
      expect(out.map((r) => r.headers)).toEqual([{ trace: Buffer.from('abc') }, {}, { h1: Buffer.from('1'), empty: Buffer.alloc(0) }, {}]);
    } else {
      expect(out[vector.count - 1]!.key!.toString()).toBe(`key-${vector.count - 1}`);
    }
  });

  it('refuses any of them with one byte changed', async () => {
    for (const vector of batchVectors) {
      const bytes = Buffer.from(readVector(vector.file));
      bytes[Math.floor((21 + bytes.length) / 2)]! ^= 0x10;
      await expect(decodeRecordBatches(bytes, 0n)).rejects.toThrow(new RegExp(`offset ${vector.baseOffset} is corrupt: its CRC field is 0x${vector.crc.toString(16).padStart(8, '0')}`));
    }
  });
});
