import { describe, expect, it } from 'vitest';
import { PendingRequests, type PendingRequest } from '../../src/requests/pending-requests.js';

const pending = (id: string, to = 'b', from = 'a'): PendingRequest => ({ id, route: 'path', path: 'p', from, to, deadline: 0, startedAt: 0, decode: async () => null, settle: () => {} });

describe('pending requests', () => {
  it('hands each request to one settler only, and tells late from duplicate', () => {
    const table = new PendingRequests();
    table.add(pending('1'));
    table.add(pending('2'));
    expect(table.take('1', 'response')?.id).toBe('1');
    expect(table.take('1', 'response')).toBeUndefined();
    expect(table.whyUnknown('1')).toBe('duplicate');
    expect(table.take('2', 'timeout')?.id).toBe('2');
    expect(table.whyUnknown('2')).toBe('late');
    expect(table.whyUnknown('never-sent')).toBe('late');
    expect(table.size).toBe(0);
  });

  it('finds requests by the session they went to and the one that sent them', () => {
    const table = new PendingRequests();
    table.add(pending('1', 'x', 'a'));
    table.add(pending('2', 'y', 'a'));
    table.add(pending('3', 'x', 'b'));
    expect(table.sentTo('x').map((p) => p.id)).toEqual(['1', '3']);
    expect(table.sentBy('a').map((p) => p.id)).toEqual(['1', '2']);
  });

  it('counts the requests waiting on each session through sends, moves and every way a request ends', () => {
    const table = new PendingRequests();
    const first = pending('1', 'x');
    table.add(first);
    table.add(pending('2', 'x'));
    table.add(pending('3', 'y'));
    expect([table.waitingOn('x'), table.waitingOn('y'), table.waitingOn('z')]).toEqual([2, 1, 0]);
    table.moveTo(first, 'z');
    expect(first.to).toBe('z');
    expect([table.waitingOn('x'), table.waitingOn('z')]).toEqual([1, 1]);
    table.take('1', 'timeout');
    table.take('2', 'response');
    // A request already ended moves without counting anywhere.
    table.moveTo(first, 'y');
    expect([table.waitingOn('x'), table.waitingOn('y'), table.waitingOn('z')]).toEqual([0, 1, 0]);
    table.take('3', 'response');
    table.take('3', 'response');
    expect(table.waitingOn('y')).toBe(0);
  });
});
