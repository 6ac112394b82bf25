import { describe, expect, it } from 'vitest';
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../../src/protocol/offset-commit-protocol.js';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../../src/protocol/offset-fetch-protocol.js';
import { bytes } from '../support/wire-bytes.js';

describe('OffsetCommit v7', () => {
  it('commits each offset with its leader epoch and metadata, as a member of a generation, partitions grouped by topic', () => {
    const body = encodeOffsetCommitRequest({
      groupId: 'g',
      generationId: 12,
      memberId: 'm-1',
      groupInstanceId: null,
      partitions: [
        { topic: 'a', partition: 0, offset: 2n ** 40n, leaderEpoch: 3, metadata: null },
        { topic: 'b', partition: 1, offset: 7n, leaderEpoch: -1, metadata: 'x' },
        { topic: 'a', partition: 4, offset: 0n, leaderEpoch: 0, metadata: null },
      ],
    });
    expect(body).toEqual(bytes(
      ['str', 'g'], ['i32', 12], ['str', 'm-1'], ['str', null],
      ['i32', 2],
      ['str', 'a'], ['i32', 2], ['i32', 0], ['i64', 2n ** 40n], ['i32', 3], ['str', null], ['i32', 4], ['i64', 0n], ['i32', 0], ['str', null],
      ['str', 'b'], ['i32', 1], ['i32', 1], ['i64', 7n], ['i32', -1], ['str', 'x'],
    ));
  });

  it("decodes each partition's error", () => {
    const body = bytes(['i32', 0], ['i32', 1], ['str', 'a'], ['i32', 2], ['i32', 0], ['i16', 0], ['i32', 4], ['i16', 22]);
    expect(decodeOffsetCommitResponse(body)).toEqual({ throttleTimeMs: 0, partitions: [{ topic: 'a', partition: 0, errorCode: 0 }, { topic: 'a', partition: 4, errorCode: 22 }] });
  });
});

describe('OffsetFetch v5', () => {
  it('asks for the commits of these partitions, grouped by topic', () => {
    expect(encodeOffsetFetchRequest('g', [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 2 }, { topic: 'a', partition: 3 }])).toEqual(bytes(
      ['str', 'g'], ['i32', 2], ['str', 'a'], ['i32', 2], ['i32', 0], ['i32', 3], ['str', 'b'], ['i32', 1], ['i32', 2],
    ));
  });

  it('decodes each commit with its leader epoch, and the group\'s error after them', () => {
    const body = bytes(
      ['i32', 0],
      ['i32', 1],
      ['str', 'a'], ['i32', 2], ['i32', 0], ['i64', 10n], ['i32', 4], ['str', ''], ['i16', 0], ['i32', 3], ['i64', -1n], ['i32', -1], ['str', null], ['i16', 0],
      ['i16', 14],
    );
    expect(decodeOffsetFetchResponse(body)).toEqual({
      throttleTimeMs: 0,
      errorCode: 14,
      partitions: [
        { topic: 'a', partition: 0, offset: 10n, leaderEpoch: 4, metadata: '', errorCode: 0 },
        { topic: 'a', partition: 3, offset: -1n, leaderEpoch: -1, metadata: null, errorCode: 0 },
      ],
    });
  });
});
