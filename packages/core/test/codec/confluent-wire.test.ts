import { describe, expect, it } from 'vitest';
import {
  CONFLUENT_HEADER_BYTES,
  MAX_SCHEMA_ID,
  frameConfluent,
  readConfluentSchemaId,
  unframeConfluent,
  writeConfluentHeader,
} from '../../src/codec/confluent-wire.js';
import { InvalidArgumentError, isTributaryError } from '../../src/errors.js';

describe('Confluent wire format', () => {
  it('writes magic byte 0, then the schema id in 4 bytes big-endian, then the data', () => {
    expect([...frameConfluent(0x01020304, Buffer.from([9, 8]))]).toEqual([0, 1, 2, 3, 4, 9, 8]);
    expect([...frameConfluent(1, Buffer.alloc(0))]).toEqual([0, 0, 0, 0, 1]);
    expect([...frameConfluent(MAX_SCHEMA_ID, Buffer.from([0xff]))]).toEqual([0, 0x7f, 0xff, 0xff, 0xff, 0xff]);
  });

  it('lays out schema id 42 and the Avro string "hi" byte for byte as the documented format', () => {
    // Avro binary of the string "hi": zig-zag length 2 -> 0x04, then 'h' 'i'.
    const confluent = Buffer.from('000000002a046869', 'hex');
    expect(frameConfluent(42, Buffer.from([0x04, 0x68, 0x69]))).toEqual(confluent);
    expect(unframeConfluent(confluent)).toEqual({ schemaId: 42, payload: Buffer.from([0x04, 0x68, 0x69]) });
  });

  it('reads the id and gives the data as a view, not a copy', () => {
    const bytes = Buffer.from([0, 0, 0, 1, 0, 7, 6]);
    const { schemaId, payload } = unframeConfluent(bytes);
    expect(schemaId).toBe(256);
    expect([...payload]).toEqual([7, 6]);
    expect(payload.buffer).toBe(bytes.buffer);
    expect(readConfluentSchemaId(bytes)).toBe(256);
  });

  it('writes the header in place, leaving the rest alone', () => {
    const target = Buffer.from([9, 9, 9, 9, 9, 9]);
    writeConfluentHeader(target, 0x0a0b0c0d);
    expect([...target]).toEqual([0, 0x0a, 0x0b, 0x0c, 0x0d, 9]);
    expect(CONFLUENT_HEADER_BYTES).toBe(5);
  });

  it.each([
    ['a wrong magic byte', [1, 0, 0, 0, 1, 7], /magic byte is 1/],
    ['too few bytes', [0, 0, 1], /only 3 byte/],
    ['no bytes', [], /only 0 byte/],
  ])('rejects %s with DECODE_FAILED', (_what, bytes, message) => {
    let error: unknown;
    try {
      readConfluentSchemaId(Buffer.from(bytes));
    } catch (e) {
      error = e;
    }
    expect(isTributaryError(error, 'DECODE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(() => unframeConfluent(Buffer.from(bytes))).toThrow(message);
  });

  it.each([-1, 1.5, MAX_SCHEMA_ID + 1, Number.NaN])('refuses schema id %s', (id) => {
    expect(() => frameConfluent(id, Buffer.alloc(0))).toThrow(InvalidArgumentError);
  });
});
