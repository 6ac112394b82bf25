import { describe, expect, it } from 'vitest';
import { decodeFetchResponse, encodeFetchRequest } from '../../src/protocol/fetch-protocol.js';
import { bytes } from '../support/wire-bytes.js';

describe('Fetch v11', () => {
  it('encodes a request with partitions grouped by topic, as a consumer with no fetch session', () => {
    const body = encodeFetchRequest({
      maxWaitMs: 500, minBytes: 1, maxBytes: 1000, isolationLevel: 1,
      partitions: [
        { topic: 'a', partition: 0, offset: 5n, maxBytes: 100 },
        { topic: 'b', partition: 2, offset: 7n, maxBytes: 100 },
        { topic: 'a', partition: 1, offset: 2n ** 40n, maxBytes: 100 },
      ],
    });
    const partition = (p: number, offset: bigint) => [['i32', p], ['i32', -1], ['i64', offset], ['i64', -1n], ['i32', 100]] as const;
    expect(body).toEqual(bytes(
      ['i32', -1], ['i32', 500], ['i32', 1], ['i32', 1000], ['i8', 1], ['i32', 0], ['i32', -1],
      ['i32', 2],
      ['str', 'a'], ['i32', 2], ...partition(0, 5n), ...partition(1, 2n ** 40n),
      ['str', 'b'], ['i32', 1], ...partition(2, 7n),
      ['i32', 0], ['str', ''],
    ));
  });

  it('sends each partition\'s current leader epoch where known (KIP-320), -1 where not', () => {
    const body = encodeFetchRequest({
      maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0,
      partitions: [
        { topic: 'a', partition: 0, offset: 5n, maxBytes: 100, currentLeaderEpoch: 7 },
        { topic: 'a', partition: 1, offset: 6n, maxBytes: 100 },
      ],
    });
    expect(body).toEqual(bytes(
      ['i32', -1], ['i32', 0], ['i32', 1], ['i32', 1000], ['i8', 0], ['i32', 0], ['i32', -1],
      ['i32', 1], ['str', 'a'], ['i32', 2],
      ['i32', 0], ['i32', 7], ['i64', 5n], ['i64', -1n], ['i32', 100],
      ['i32', 1], ['i32', -1], ['i64', 6n], ['i64', -1n], ['i32', 100],
      ['i32', 0], ['str', ''],
    ));
  });

  it('decodes partitions with their error, watermarks (high, last stable, log start), aborted transactions and record set (null as empty)', () => {
    const records = Buffer.from('record-bytes');
    const body = bytes(
      ['i32', 0], ['i16', 0], ['i32', 0],
      ['i32', 1], ['str', 't'], ['i32', 2],
      ['i32', 0], ['i16', 0], ['i64', 10n], ['i64', 8n], ['i64', 3n], ['i32', 1], ['i64', 42n], ['i64', 4n], ['i32', -1], ['i32', records.length], ['raw', records],
      ['i32', 1], ['i16', 1], ['i64', -1n], ['i64', -1n], ['i64', -1n], ['i32', -1], ['i32', -1], ['i32', -1],
    );
    const response = decodeFetchResponse(body);
    expect(response.errorCode).toBe(0);
    expect(response.partitions).toEqual([
      { topic: 't', partition: 0, errorCode: 0, highWatermark: 10n, lastStableOffset: 8n, logStartOffset: 3n, aborted: [{ producerId: 42n, firstOffset: 4n }], records },
      { topic: 't', partition: 1, errorCode: 1, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, aborted: [], records: Buffer.alloc(0) },
    ]);
  });

  it('names where a cut response ends', () => {
    const body = bytes(['i32', 0], ['i16', 0], ['i32', 0], ['i32', 1], ['str', 't'], ['i32', 1], ['i32', 0]);
    expect(() => decodeFetchResponse(body)).toThrow(/ends at byte 25, 2 more expected at byte 25/);
  });
});
