import { describe, expect, it } from 'vitest';
import { SeekState } from '../../src/positions/seek-state.js';

describe('SeekState', () => {
  it('keeps the last target of each partition as its floor, and hands out seeks of unowned partitions once owned', () => {
    const s = new SeekState();
    s.request({ topic: 't', partition: 0 }, 10n, true);
    s.request({ topic: 't', partition: 1 }, 20n, false);
    expect(s.floor('t', 0)).toBe(10n);
    expect(s.floor('t', 1)).toBe(20n);
    expect(s.floor('t', 2)).toBeUndefined();
    expect(s.takePending([{ topic: 't', partition: 0 }])).toEqual([]);
    expect(s.takePending([{ topic: 't', partition: 1 }])).toEqual([{ topic: 't', partition: 1, next: 20n }]);
    expect(s.takePending([{ topic: 't', partition: 1 }])).toEqual([]);
    s.request({ topic: 't', partition: 0 }, 3n, true);
    expect(s.floor('t', 0)).toBe(3n);
  });
});
