import { describe, expect, it } from 'vitest';
import { silentLogger } from '@tributary/kafka';
import { encodeAs } from '../../src/types/data-type.js';
import type { HandlerEntry, RequestHandler } from '../../src/requests/handler.js';
import { respond, type HandlerLookup } from '../../src/requests/responder.js';
import type { InboxMessage, RequestMessage } from '../../src/wire/envelope.js';

function session(unaddressed: Record<string, RequestHandler>, types: Partial<HandlerEntry> = {}): HandlerLookup {
  const table = new Map(Object.entries(unaddressed).map(([p, handler]) => [p, { handler, requestType: 'json', responseType: 'json', ...types } as HandlerEntry]));
  return { id: 'me', unaddressed: table, addressed: new Map() };
}

async function request(overrides: Partial<RequestMessage> = {}): Promise<RequestMessage> {
  return { kind: 'request', id: 'r', from: 'them', to: 'me', route: 'path', path: 'a/b', replyTo: 2, deadline: Date.now() + 5000, type: 'json', properties: {}, value: await encodeAs('json', { q: 1 }, { path: 'a/b', direction: 'request' }), ...overrides };
}

async function replies(s: HandlerLookup, r: RequestMessage): Promise<Array<{ partition: number; message: InboxMessage }>> {
  const out: Array<{ partition: number; message: InboxMessage }> = [];
  await respond(s, r, async (partition, message) => void out.push({ partition, message }), silentLogger);
  return out;
}

describe('responding to a request', () => {
  it('sends exactly one reply to the requester partition, for every kind of ending', async () => {
    const cases: Array<[HandlerLookup, RequestMessage, string]> = [
      [session({ 'a/b': (x) => x }), await request(), 'response'],
      [session({ a: (x) => x }), await request(), 'response'],
      [session({ 'a/c': (x) => x }), await request(), 'NO_HANDLER'],
      [session({ 'a/b': () => { throw new Error('no'); } }), await request(), 'REQUEST_FAILED'],
      [session({ 'a/b': (x) => x }, { requestType: 'string' }), await request(), 'TYPE_MISMATCH'],
      [session({ 'a/b': () => 'text' }, { responseType: 'int64' }), await request(), 'TYPE_MISMATCH'],
      [session({ 'a/b': async () => { throw Object.assign(new Error('gone'), { code: 'ENOENT' }); } }), await request(), 'REQUEST_FAILED'],
    ];
    for (const [s, r, expected] of cases) {
      const out = await replies(s, r);
      expect(out).toHaveLength(1);
      expect(out[0]!.partition).toBe(2);
      const m = out[0]!.message;
      expect(m.kind === 'error' ? m.code : m.kind, expected).toBe(expected);
      expect(m).toMatchObject({ id: 'r', from: 'me', to: 'them' });
    }
  });

  it('does not call a handler whose request type refuses the request', async () => {
    let called = false;
    await replies(session({ 'a/b': () => (called = true) }, { requestType: 'int64' }), await request());
    expect(called).toBe(false);
  });

  it('keeps the code and message of what the handler threw', async () => {
    const [reply] = await replies(session({ 'a/b': () => { throw Object.assign(new Error('disk full'), { code: 'ENOSPC' }); } }), await request());
    expect(reply!.message).toMatchObject({ kind: 'error', code: 'REQUEST_FAILED', remoteCode: 'ENOSPC', message: 'disk full' });
  });

  it('drops a request read after its deadline unrun, and aborts the handler signal at the deadline', async () => {
    let called = false;
    expect(await replies(session({ 'a/b': () => (called = true) }), await request({ deadline: Date.now() - 1 }))).toEqual([]);
    expect(called).toBe(false);
    let aborted = false;
    await replies(session({ 'a/b': (_x, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve((aborted = true)))) }), await request({ deadline: Date.now() + 50 }));
    expect(aborted).toBe(true);
  });
});
