import { describe, expect, it } from 'vitest';
import { Assignment } from '../../src/rebalance/assignment.js';

describe('Assignment', () => {
  it('tells what was assigned and revoked by each join', () => {
    const a = new Assignment();
    expect(a.update({ t: [1, 0] })).toEqual({ owned: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }], assigned: [{ topic: 't', partition: 1 }, { topic: 't', partition: 0 }], revoked: [] });
    const change = a.update({ t: [1, 2], u: [0] });
    expect(change.assigned).toEqual([{ topic: 't', partition: 2 }, { topic: 'u', partition: 0 }]);
    expect(change.revoked).toEqual([{ topic: 't', partition: 0 }]);
    expect(a.list()).toEqual([{ topic: 't', partition: 1 }, { topic: 't', partition: 2 }, { topic: 'u', partition: 0 }]);
    expect(a.clear().revoked).toHaveLength(3);
    expect(a.list()).toEqual([]);
  });

  it('after a lost membership, revokes everything it owned and assigns the whole join anew, kept partitions too', () => {
    const a = new Assignment();
    a.update({ t: [0, 1] });
    const change = a.update({ t: [1, 2] }, true);
    expect(change).toEqual({
      owned: [{ topic: 't', partition: 1 }, { topic: 't', partition: 2 }],
      assigned: [{ topic: 't', partition: 1 }, { topic: 't', partition: 2 }],
      revoked: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }],
    });
    // A join that keeps the membership tells only the difference again.
    expect(a.update({ t: [1, 2] })).toMatchObject({ assigned: [], revoked: [] });
  });
});
