import { describe, expect, it } from 'vitest';
import { decodeInboxMessage, encodeInboxMessage, InboxHeaders, recipientOf, type InboxMessage } from '../../src/wire/envelope.js';

describe('the inbox wire form', () => {
  const messages: InboxMessage[] = [
    { kind: 'request', id: 'r1', from: 'a', to: 'b', route: 'path', path: 'x/y', replyTo: 3, deadline: 1700000000000, type: 'json', properties: { Country: 'UK' }, value: Buffer.from('{}') },
    { kind: 'request', id: 'r2', from: 'a', to: 'b', route: 'filter', path: 'x', replyTo: 0, deadline: 1, type: 'bytes', properties: {}, value: Buffer.alloc(0) },
    { kind: 'response', id: 'r1', from: 'b', to: 'a', type: 'int64', value: Buffer.alloc(8) },
    { kind: 'error', id: 'r1', from: 'b', to: 'a', code: 'REQUEST_FAILED', remoteCode: 'E_X', message: 'broke ✗' },
  ];

  it('decodes what it encodes, and names the recipient from the header alone', () => {
    for (const m of messages) {
      const record = encodeInboxMessage(m);
      expect(recipientOf(record)).toBe(m.to);
      expect(decodeInboxMessage(record)).toEqual(m);
    }
  });

  it('says what is wrong with a record that is not a request or response', () => {
    const good = encodeInboxMessage(messages[0]!);
    const without = (name: string) => ({ ...good, headers: Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== name)) });
    const withHeader = (name: string, value: string) => ({ ...good, headers: { ...good.headers, [name]: Buffer.from(value) } });
    for (const bad of [without(InboxHeaders.id), without(InboxHeaders.path), withHeader(InboxHeaders.kind, 'ping'), withHeader(InboxHeaders.replyTo, '-1'), withHeader(InboxHeaders.route, 'broadcast'), withHeader(InboxHeaders.properties, '{"n":1}')]) {
      expect(decodeInboxMessage(bad)).toHaveProperty('invalid');
    }
    expect(recipientOf({ key: null, value: null, headers: {} })).toBeUndefined();
  });
});
