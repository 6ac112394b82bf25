import { describe, expect, it } from 'vitest';
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/produce-protocol.js';
import { bytes } from '../support/wire-bytes.js';

describe('Produce v7 and v8', () => {
  it('carries the record batches as given, partitions grouped by topic, with no transactional id', () => {
    const a = Buffer.from('batch-a');
    const b = Buffer.from('batch-b');
    const body = encodeProduceRequest({
      acks: -1,
      timeoutMs: 30_000,
      partitions: [
        { topic: 't', partition: 2, records: a },
        { topic: 'u', partition: 0, records: b },
        { topic: 't', partition: 5, records: b },
      ],
    });
    expect(body).toEqual(bytes(
      ['str', null], ['i16', -1], ['i32', 30_000],
      ['i32', 2],
      ['str', 't'], ['i32', 2], ['i32', 2], ['i32', a.length], ['raw', a], ['i32', 5], ['i32', b.length], ['raw', b],
      ['str', 'u'], ['i32', 1], ['i32', 0], ['i32', b.length], ['raw', b],
    ));
  });

  it('decodes each partition\'s error and base offset (v7)', () => {
    const body = bytes(
      ['i32', 1],
      ['str', 't'], ['i32', 2],
      ['i32', 0], ['i16', 0], ['i64', 2n ** 40n], ['i64', -1n], ['i64', 7n],
      ['i32', 1], ['i16', 6], ['i64', -1n], ['i64', -1n], ['i64', -1n],
      ['i32', 250],
    );
    expect(decodeProduceResponse(body, 7)).toEqual({
      throttleTimeMs: 250,
      partitions: [
        { topic: 't', partition: 0, errorCode: 0, baseOffset: 2n ** 40n, logAppendTimeMs: -1n, logStartOffset: 7n, recordErrors: [], errorMessage: null },
        { topic: 't', partition: 1, errorCode: 6, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null },
      ],
    });
  });

  it('decodes the records the broker refused and its message (v8)', () => {
    const body = bytes(
      ['i32', 1],
      ['str', 't'], ['i32', 1],
      ['i32', 3], ['i16', 87], ['i64', -1n], ['i64', -1n], ['i64', 0n],
      ['i32', 2], ['i32', 0], ['str', 'Compacted topic cannot accept message without key'], ['i32', 4], ['str', null],
      ['str', 'One or more records have been rejected'],
      ['i32', 0],
    );
    expect(decodeProduceResponse(body, 8).partitions[0]).toMatchObject({
      partition: 3,
      errorCode: 87,
      recordErrors: [
        { batchIndex: 0, message: 'Compacted topic cannot accept message without key' },
        { batchIndex: 4, message: null },
      ],
      errorMessage: 'One or more records have been rejected',
    });
  });

  it('names where a cut response ends', () => {
    const body = bytes(['i32', 1], ['str', 't'], ['i32', 1], ['i32', 0], ['i16', 0]);
    expect(() => decodeProduceResponse(body, 8)).toThrow(/produce v8 response ends at byte 17, 8 more expected at byte 17/);
  });
});
