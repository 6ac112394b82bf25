import { describe, expect, it } from 'vitest';
import { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from '../../src/session/session-record.js';

describe('session records', () => {
  const record: SessionRecord = { id: 's-1', properties: { $SessionId: 's-1', Country: 'UK' }, inbox: 3, registered: { 'a/b': ['$Host'], c: [] }, addressed: ['who'], timeoutMs: 10_000 };

  it('decodes what it encodes', () => {
    expect(decodeSessionRecord('s-1', encodeSessionRecord(record))).toEqual(record);
  });

  it('ignores what is not an announcement of that session, rather than failing the view', () => {
    const bad = [
      Buffer.from('not json'),
      Buffer.from('null'),
      Buffer.from(JSON.stringify({ ...record, v: 2 })),
      Buffer.from(JSON.stringify({ ...record, v: 1, properties: { n: 5 } })),
      Buffer.from(JSON.stringify({ ...record, v: 1, registered: { a: [1] } })),
      Buffer.from(JSON.stringify({ ...record, v: 1, addressed: 'who' })),
      Buffer.from(JSON.stringify({ ...record, v: 1, inbox: '3' })),
    ];
    for (const bytes of bad) expect(decodeSessionRecord('s-1', bytes), bytes.toString()).toBeUndefined();
    expect(decodeSessionRecord('s-2', encodeSessionRecord(record))).toBeUndefined();
  });
});
