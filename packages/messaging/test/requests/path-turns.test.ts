import { describe, expect, it } from 'vitest';
import { PathTurns } from '../../src/requests/path-turns.js';

const nextTick = () => new Promise((r) => setImmediate(r));

describe('PathTurns', () => {
  it('with sticky 1, moves to the next session at every request, within a turn of the event loop or across', async () => {
    const turns = new PathTurns(1);
    expect([turns.next('a'), turns.next('a'), turns.next('a')]).toEqual([0, 1, 2]);
    await nextTick();
    expect(turns.next('a')).toBe(3);
  });

  it('with sticky n, gives up to n requests of one turn of the event loop the same session, then moves on', async () => {
    const turns = new PathTurns(3);
    expect(Array.from({ length: 7 }, () => turns.next('a'))).toEqual([0, 0, 0, 1, 1, 1, 2]);
    // A new turn of the event loop: the next session, even though the last had room left.
    await nextTick();
    expect([turns.next('a'), turns.next('a')]).toEqual([3, 3]);
    await nextTick();
    expect(turns.next('a')).toBe(4);
  });

  it('keeps each path its own turns', () => {
    const turns = new PathTurns(2);
    expect([turns.next('a'), turns.next('b'), turns.next('a'), turns.next('b'), turns.next('a')]).toEqual([0, 0, 0, 0, 1]);
  });
});
