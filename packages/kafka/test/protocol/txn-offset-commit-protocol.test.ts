import { describe, expect, it } from 'vitest';
import { decodeTxnOffsetCommitResponse, encodeTxnOffsetCommitRequest } from '../../src/protocol/txn-offset-commit-protocol.js';
import { bytes, type Field } from '../support/wire-bytes.js';

/** A compact string, written by hand: its length plus one in one varint byte (0 for null), then its bytes. */
const cstr = (v: string | null): Field => ['raw', v === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([Buffer.byteLength(v) + 1]), Buffer.from(v)])];
/** A count or length below 128: one varint byte. */
const uv = (n: number): Field => ['i8', n];
const noTags: Field = uv(0);

describe('TxnOffsetCommit v3', () => {
  it("commits each offset with its leader epoch as the consumer's generation and member, partitions grouped by topic, compact and tagged", () => {
    const body = encodeTxnOffsetCommitRequest({
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 2n ** 40n,
      producerEpoch: 3,
      generationId: 12,
      memberId: 'm-1',
      groupInstanceId: null,
      partitions: [
        { topic: 'a', partition: 0, offset: 9n, leaderEpoch: 4, metadata: null },
        { topic: 'b', partition: 1, offset: 7n, leaderEpoch: -1, metadata: 'x' },
        { topic: 'a', partition: 2, offset: 0n, leaderEpoch: 0, metadata: null },
      ],
    });
    expect(body).toEqual(bytes(
      cstr('tx'), cstr('g'), ['i64', 2n ** 40n], ['i16', 3], ['i32', 12], cstr('m-1'), cstr(null),
      uv(3),
      cstr('a'), uv(3), ['i32', 0], ['i64', 9n], ['i32', 4], cstr(null), noTags, ['i32', 2], ['i64', 0n], ['i32', 0], cstr(null), noTags, noTags,
      cstr('b'), uv(2), ['i32', 1], ['i64', 7n], ['i32', -1], cstr('x'), noTags, noTags,
      noTags,
    ));
  });

  it("decodes each partition's error, stepping over tagged fields", () => {
    const taggedField: Field = ['raw', Buffer.from([1, 5, 2, 0xaa, 0xbb])]; // one field: tag 5, two bytes
    const body = bytes(
      ['i32', 0],
      uv(2),
      cstr('a'), uv(3), ['i32', 0], ['i16', 0], taggedField, ['i32', 4], ['i16', 22], noTags, noTags,
      noTags,
    );
    expect(decodeTxnOffsetCommitResponse(body)).toEqual({ throttleTimeMs: 0, partitions: [{ topic: 'a', partition: 0, errorCode: 0 }, { topic: 'a', partition: 4, errorCode: 22 }] });
  });

  it('reads a response cut short as a RangeError naming it', () => {
    expect(() => decodeTxnOffsetCommitResponse(bytes(['i32', 0], uv(2), cstr('a')))).toThrow(/txn-offset-commit response ends at byte/);
  });
});
