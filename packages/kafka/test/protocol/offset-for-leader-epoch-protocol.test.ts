import { describe, expect, it } from 'vitest';
import { decodeOffsetForLeaderEpochResponse, encodeOffsetForLeaderEpochRequest } from '../../src/protocol/offset-for-leader-epoch-protocol.js';
import { bytes } from '../support/wire-bytes.js';

describe('OffsetForLeaderEpoch v3', () => {
  it('asks as a consumer (replica id -1), partitions grouped by topic with the current and the asked epoch', () => {
    const body = encodeOffsetForLeaderEpochRequest([
      { topic: 'a', partition: 0, currentLeaderEpoch: 4, leaderEpoch: 2 },
      { topic: 'b', partition: 3, currentLeaderEpoch: 9, leaderEpoch: 9 },
      { topic: 'a', partition: 1, currentLeaderEpoch: 5, leaderEpoch: 0 },
    ]);
    expect(body).toEqual(bytes(
      ['i32', -1],
      ['i32', 2],
      ['str', 'a'], ['i32', 2], ['i32', 0], ['i32', 4], ['i32', 2], ['i32', 1], ['i32', 5], ['i32', 0],
      ['str', 'b'], ['i32', 1], ['i32', 3], ['i32', 9], ['i32', 9],
    ));
  });

  it('decodes each partition\'s error, epoch and end offset', () => {
    const body = bytes(
      ['i32', 0],
      ['i32', 2],
      ['str', 'a'], ['i32', 2], ['i16', 0], ['i32', 0], ['i32', 2], ['i64', 2n ** 40n], ['i16', 74], ['i32', 1], ['i32', -1], ['i64', -1n],
      ['str', 'b'], ['i32', 1], ['i16', 0], ['i32', 3], ['i32', -1], ['i64', -1n],
    );
    expect(decodeOffsetForLeaderEpochResponse(body)).toEqual({
      throttleTimeMs: 0,
      partitions: [
        { topic: 'a', partition: 0, errorCode: 0, leaderEpoch: 2, endOffset: 2n ** 40n },
        { topic: 'a', partition: 1, errorCode: 74, leaderEpoch: -1, endOffset: -1n },
        { topic: 'b', partition: 3, errorCode: 0, leaderEpoch: -1, endOffset: -1n },
      ],
    });
  });

  it('names where a cut response ends', () => {
    const body = bytes(['i32', 0], ['i32', 1], ['str', 't'], ['i32', 1], ['i16', 0], ['i32', 0], ['i32', 2]);
    expect(() => decodeOffsetForLeaderEpochResponse(body)).toThrow(/offset-for-leader-epoch response ends at byte 25, 8 more expected at byte 25/);
  });
});
