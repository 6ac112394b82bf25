import { describe, expect, it } from 'vitest';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest, UNSTABLE_OFFSET_COMMIT } from '../../src/protocol/offset-fetch-protocol.js';
import { bytes, type Field } from '../support/wire-bytes.js';

/** A compact string, written by hand: its length plus one in one varint byte (0 for null), then its bytes. */
const cstr = (v: string | null): Field => ['raw', v === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([Buffer.byteLength(v) + 1]), Buffer.from(v)])];
/** A count or length below 128: one varint byte. */
const uv = (n: number): Field => ['i8', n];
const noTags: Field = uv(0);
const partitions = [
  { topic: 'a', partition: 0 },
  { topic: 'b', partition: 3 },
  { topic: 'a', partition: 2 },
];

describe('OffsetFetch v5', () => {
  it('asks for partitions grouped by topic, with int16 strings and int32 counts', () => {
    expect(encodeOffsetFetchRequest('g', partitions)).toEqual(bytes(['str', 'g'], ['i32', 2], ['str', 'a'], ['i32', 2], ['i32', 0], ['i32', 2], ['str', 'b'], ['i32', 1], ['i32', 3]));
  });

  it('cannot carry requireStable: a RangeError naming the version needed', () => {
    expect(() => encodeOffsetFetchRequest('g', partitions, { version: 5, requireStable: true })).toThrow(/version 5 cannot carry requireStable \(version 7/);
  });

  it("decodes each partition's commit, leader epoch, metadata and error, then the group's error", () => {
    const body = bytes(['i32', 0], ['i32', 1], ['str', 'a'], ['i32', 2], ['i32', 0], ['i64', 9n], ['i32', 4], ['str', null], ['i16', 0], ['i32', 1], ['i64', -1n], ['i32', -1], ['str', 'm'], ['i16', 0], ['i16', 0]);
    expect(decodeOffsetFetchResponse(body)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      partitions: [
        { topic: 'a', partition: 0, offset: 9n, leaderEpoch: 4, metadata: null, errorCode: 0 },
        { topic: 'a', partition: 1, offset: -1n, leaderEpoch: -1, metadata: 'm', errorCode: 0 },
      ],
    });
  });
});

describe('OffsetFetch v7 (flexible, RequireStable)', () => {
  it('asks for partitions grouped by topic, compact and tagged, with RequireStable last before the tagged fields', () => {
    const body = encodeOffsetFetchRequest('g', partitions, { version: 7, requireStable: true });
    expect(body).toEqual(bytes(cstr('g'), uv(3), cstr('a'), uv(3), ['i32', 0], ['i32', 2], noTags, cstr('b'), uv(2), ['i32', 3], noTags, ['i8', 1], noTags));
    expect(encodeOffsetFetchRequest('g', [{ topic: 'a', partition: 0 }], { version: 7 })).toEqual(bytes(cstr('g'), uv(2), cstr('a'), uv(2), ['i32', 0], noTags, ['i8', 0], noTags));
  });

  it('decodes commits and UNSTABLE_OFFSET_COMMIT per partition, stepping over tagged fields', () => {
    const taggedField: Field = ['raw', Buffer.from([1, 5, 2, 0xaa, 0xbb])]; // one field: tag 5, two bytes
    const body = bytes(
      ['i32', 7],
      uv(2),
      cstr('a'), uv(3), ['i32', 0], ['i64', 9n], ['i32', 4], cstr(null), ['i16', 0], taggedField, ['i32', 1], ['i64', -1n], ['i32', -1], cstr('m'), ['i16', UNSTABLE_OFFSET_COMMIT], noTags, noTags,
      ['i16', 0],
      noTags,
    );
    expect(decodeOffsetFetchResponse(body, 7)).toEqual({
      throttleTimeMs: 7,
      errorCode: 0,
      partitions: [
        { topic: 'a', partition: 0, offset: 9n, leaderEpoch: 4, metadata: null, errorCode: 0 },
        { topic: 'a', partition: 1, offset: -1n, leaderEpoch: -1, metadata: 'm', errorCode: 88 },
      ],
    });
  });

  it('reads a response cut short as a RangeError naming it', () => {
    expect(() => decodeOffsetFetchResponse(bytes(['i32', 0], uv(2), cstr('a'), uv(2), ['i32', 0]), 7)).toThrow(/offset-fetch response ends at byte/);
  });
});
