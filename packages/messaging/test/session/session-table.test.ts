import { describe, expect, it } from 'vitest';
import { SessionTable } from '../../src/session/session-table.js';
import type { SessionRecord } from '../../src/session/session-record.js';

const rec = (id: string, inbox: number, registered: Record<string, string[]> = {}, timeoutMs = 1000): SessionRecord => ({ id, properties: { $SessionId: id }, inbox, registered, addressed: [], timeoutMs });

describe('the session table', () => {
  it('tells added, changed (only on a real change) and removed', () => {
    const t = new SessionTable();
    expect(t.apply('a', rec('a', 0), 0)?.type).toBe('added');
    expect(t.apply('a', rec('a', 0), 10)).toBeUndefined();
    expect(t.apply('a', rec('a', 0, { p: [] }), 20)?.type).toBe('changed');
    expect(t.apply('a', undefined, 30)).toMatchObject({ type: 'removed', reason: 'closed' });
    expect(t.apply('a', undefined, 40)).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('expires a session silent for longer than its own timeout, and a heartbeat keeps it', () => {
    const t = new SessionTable();
    t.apply('a', rec('a', 0, {}, 1000), 0);
    t.apply('b', rec('b', 0, {}, 5000), 0);
    t.apply('a', rec('a', 0, {}, 1000), 900);
    expect(t.expire(1800)).toEqual([]);
    expect(t.expire(1901).map((e) => [e.type, e.session.id, 'reason' in e && e.reason])).toEqual([['removed', 'a', 'expired']]);
    expect(t.all().map((s) => s.id)).toEqual(['b']);
  });

  it('finds the handlers of the most specific registered path, and forgets a path no one handles', () => {
    const t = new SessionTable();
    t.apply('a', rec('a', 0, { x: [], 'x/y': [] }), 0);
    t.apply('b', rec('b', 1, { 'x/y': [] }), 0);
    expect(t.handlersOf('x/y/z')).toEqual({ path: 'x/y', sessions: ['a', 'b'] });
    expect(t.handlersOf('x/q')).toEqual({ path: 'x', sessions: ['a'] });
    t.apply('a', rec('a', 0, { 'x/y': [] }), 1);
    expect(t.handlersOf('x/q')).toBeUndefined();
    t.apply('b', undefined, 2);
    expect(t.handlersOf('x/y')).toEqual({ path: 'x/y', sessions: ['a'] });
  });

  it('spreads new sessions over the least loaded inbox partitions', () => {
    const t = new SessionTable();
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 40; i++) {
      const inbox = t.leastLoadedInbox(4);
      counts[inbox]!++;
      t.apply(`s${i}`, rec(`s${i}`, inbox), 0);
    }
    expect(counts).toEqual([10, 10, 10, 10]);
    expect(t.leastLoadedInbox(4, new Map([[0, 1], [1, 1], [2, 1]]))).toBe(3);
  });
});
