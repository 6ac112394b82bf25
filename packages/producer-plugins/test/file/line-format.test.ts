import { ErrorCodes, TributaryError, type EventRecord } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { decodeLine, encodeLine } from '../../src/file/line-format.js';

describe('file log lines', () => {
  it('keep UTF-8 bytes as text and other bytes as base64, and round-trip exactly', () => {
    const record: EventRecord = {
      key: Buffer.from('clé'),
      value: Buffer.from([0xff, 0x00, 0xc3]),
      headers: { 'tributary-id': Buffer.from('id-1'), bin: Buffer.from([0x80]) },
      timestamp: '1714561200000',
    };
    const text = encodeLine(9007199254740993n, record);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(text)).toEqual({
      offset: '9007199254740993',
      timestamp: '1714561200000',
      key: 'clé',
      headers: { 'tributary-id': 'id-1', bin: { base64: 'gA==' } },
      value: { base64: '/wDD' },
    });
    const stored = decodeLine(text.slice(0, -1), 't', 2, 9007199254740993n);
    expect(stored.offset.toString()).toBe('t:2@9007199254740993');
    expect(stored.record).toEqual(record);
  });

  it('keep a null key null and a JSON payload readable', () => {
    const text = encodeLine(0n, { key: null, value: Buffer.from('{"a":"line\\nbreak"}'), headers: {}, timestamp: '0' });
    expect(text.split('\n').length).toBe(2);
    expect(JSON.parse(text).value).toBe('{"a":"line\\nbreak"}');
    expect(decodeLine(text.trimEnd(), 't', 0, 0n).record.key).toBeNull();
  });

  it.each([
    ['not JSON', '{"offset":', 'Malformed line'],
    ['a bad value', '{"offset":"0","timestamp":"0","key":null,"headers":{},"value":5}', 'field value'],
    ['another offset than its place', '{"offset":"3","timestamp":"0","key":null,"headers":{},"value":""}', 'says offset 3'],
  ])('fail with DECODE_FAILED on %s', (_label, line, message) => {
    let error: unknown;
    try {
      decodeLine(line, 't', 0, 0n);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe(ErrorCodes.DECODE_FAILED);
    expect((error as Error).message).toContain(message);
  });
});
