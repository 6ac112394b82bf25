import { afterEach, describe, it } from 'vitest';
import { everySendEndsOnce, groupSendReachesEachMemberOnce } from './invariants.js';
import { memoryLayers } from './support.js';

describe('channel layer invariants in memory', () => {
  const layers = memoryLayers({ capacity: 4 });
  afterEach(() => layers.close());

  for (const seed of [1, 2, 3]) {
    it(`every send ends in one outcome; receivers get each taken send once, in order (seed ${seed})`, async () => {
      const live = [layers.layer(), layers.layer(), layers.layer()];
      await everySendEndsOnce(live, layers.layer(), 300, seed);
    });
  }

  it('a group send reaches each live member once, after random adds and discards', async () => {
    const live = [layers.layer(), layers.layer(), layers.layer()];
    await groupSendReachesEachMemberOnce(live, 15, 7);
  });
});
