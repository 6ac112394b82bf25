import { describe, expect, it } from 'vitest';
import { CompressionCodec } from '../../src/protocol/decompress.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { RecordBatchBuilder, type RecordToEncode } from '../../src/protocol/record-batch-builder.js';

/** Records with keys, null values, repeated header names, and timestamps before and after the first, some by more than 2^32 ms. */
function records(count: number): RecordToEncode[] {
  const base = 1_700_000_000_000;
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 4 ? null : Buffer.alloc(i * 37, i),
    headers: { id: Buffer.from(String(i)), seen: [Buffer.from('a'), null] },
    timestamp: String(base + [0, i, -i * 1000, 2 ** 33, 5][i % 5]!),
  }));
}

const read = async (batch: Buffer) =>
  (await decodeRecordBatches(batch, 0n, { checkCrcs: true })).records.map((r) => [r.offset, r.timestamp, r.key?.toString('hex') ?? null, r.value?.toString('hex') ?? null, r.headerList]);

describe('RecordBatchBuilder', () => {
  it.each([CompressionCodec.none, CompressionCodec.gzip, CompressionCodec.zstd])('builds, record by record, what decodes to the records appended (codec %i)', async (codec) => {
    const builder = new RecordBatchBuilder();
    const all = records(40);
    for (const r of all) builder.append(r);
    expect(builder.count).toBe(40);
    const whole = new RecordBatchBuilder();
    for (const r of all) whole.append(r);
    const expected = await read(await whole.build());
    expect(await read(await builder.build({ compression: codec }))).toEqual(expected);
    expect(expected.map(([offset, timestamp]) => [offset, timestamp])).toEqual(all.map((r, i) => [BigInt(i), r.timestamp]));
  });

  it('slices records into a batch of their own, offsets and timestamp deltas counted from its first record', async () => {
    const all = records(23);
    const builder = new RecordBatchBuilder();
    for (const r of all) builder.append(r);
    const whole = await read(await builder.build());
    for (const [from, to] of [[0, 12], [12, 23], [7, 8], [22, 23]] as const) {
      const piece = builder.slice(from, to);
      expect(piece.count).toBe(to - from);
      const batch = await piece.build();
      // The base timestamp is the slice's first record's, as a batch written with those records alone has it.
      expect(batch.readBigInt64BE(27)).toBe(BigInt(all[from]!.timestamp));
      expect(await read(batch)).toEqual(whole.slice(from, to).map(([, ...rest], k) => [BigInt(k), ...rest]));
    }
  });

  it('refuses a record once built, and a timestamp that is not whole milliseconds, writing nothing', async () => {
    const builder = new RecordBatchBuilder();
    builder.append(records(1)[0]!);
    const size = builder.size;
    expect(() => builder.append({ key: null, value: null, headers: {}, timestamp: '1.5' })).toThrow(/timestamp "1.5"/);
    expect([builder.count, builder.size]).toEqual([1, size]);
    await builder.build();
    expect(() => builder.append(records(1)[0]!)).toThrow(/takes no more records/);
    await expect(new RecordBatchBuilder().build()).rejects.toThrow(/at least one record/);
  });
});
