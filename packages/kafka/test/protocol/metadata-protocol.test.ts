import { describe, expect, it } from 'vitest';
import { decodeMetadataResponse, encodeMetadataRequest } from '../../src/protocol/metadata-protocol.js';
import { bytes } from '../support/wire-bytes.js';

describe('Metadata v7', () => {
  it('asks for the named topics and never has them auto-created', () => {
    expect(encodeMetadataRequest(['a', 'bb'])).toEqual(bytes(['i32', 2], ['str', 'a'], ['str', 'bb'], ['i8', 0]));
  });

  it('decodes each partition\'s leader and leader epoch, reading past racks, cluster id, replica lists', () => {
    const body = bytes(
      ['i32', 5],
      ['i32', 2], ['i32', 1], ['str', 'h1'], ['i32', 9092], ['str', null], ['i32', 2], ['str', 'h2'], ['i32', 9093], ['str', 'rack-b'],
      ['str', 'cluster-x'], ['i32', 1],
      ['i32', 2],
      ['i16', 0], ['str', 't'], ['i8', 0], ['i32', 2],
      ['i16', 0], ['i32', 0], ['i32', 2], ['i32', 17], ['i32', 2], ['i32', 2], ['i32', 1], ['i32', 1], ['i32', 2], ['i32', 1], ['i32', 1],
      ['i16', 5], ['i32', 1], ['i32', -1], ['i32', -1], ['i32', 0], ['i32', 0], ['i32', 0],
      ['i16', 3], ['str', 'gone'], ['i8', 0], ['i32', 0],
    );
    expect(decodeMetadataResponse(body)).toEqual({
      throttleTimeMs: 5,
      brokers: [{ nodeId: 1, host: 'h1', port: 9092 }, { nodeId: 2, host: 'h2', port: 9093 }],
      topics: [
        { topic: 't', errorCode: 0, partitions: [{ partition: 0, errorCode: 0, leaderId: 2, leaderEpoch: 17 }, { partition: 1, errorCode: 5, leaderId: -1, leaderEpoch: -1 }] },
        { topic: 'gone', errorCode: 3, partitions: [] },
      ],
    });
  });

  it('decodes a null cluster id', () => {
    const body = bytes(['i32', 0], ['i32', 0], ['str', null], ['i32', -1], ['i32', 0]);
    expect(decodeMetadataResponse(body)).toEqual({ throttleTimeMs: 0, brokers: [], topics: [] });
  });

  it('names where a cut response ends', () => {
    const body = bytes(['i32', 0], ['i32', 0], ['str', null], ['i32', -1], ['i32', 1], ['i16', 0], ['str', 't'], ['i8', 0], ['i32', 1], ['i16', 0], ['i32', 0], ['i32', 1], ['i32', 4], ['i32', 3]);
    expect(() => decodeMetadataResponse(body)).toThrow(/metadata response ends at byte 46, 12 more expected at byte 46/);
  });
});
