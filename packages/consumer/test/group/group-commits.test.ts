import { describe, expect, it } from 'vitest';
import { TributaryError } from '@tributary/core';
import type { GroupMembership, GroupMetadata } from '@tributary/kafka';
import { Committer, type OffsetToCommit } from '../../src/commit/committer.js';
import { GroupCommits, type GroupCommitsContext } from '../../src/group/group-commits.js';
import type { ConsumerLogger } from '../../src/logging/logger.js';

function setup(over: Partial<GroupCommitsContext> = {}) {
  const committer = new Committer();
  committer.assign([{ topic: 't', partition: 0 }]);
  committer.tracker('t', 0)!.settleThrough(4n);
  const sent: OffsetToCommit[][] = [];
  const warnings: unknown[] = [];
  const logger: ConsumerLogger = { debug: () => {}, info: () => {}, warn: (o: unknown) => void warnings.push(o), error: () => {} };
  const member = { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null };
  const membership = { commit: async (offsets: readonly OffsetToCommit[]) => void sent.push([...offsets]), groupMetadata: () => member } as unknown as GroupMembership;
  const commits = new GroupCommits({ groupId: 'g', committer, logger, sink: undefined, membership: () => membership, lapsed: () => false, ...over });
  return { commits, committer, sent, warnings };
}

describe('GroupCommits', () => {
  it('sends settled offsets to the membership once, and nothing the second time', async () => {
    const { commits, sent } = setup();
    expect(await commits.commitNow('request')).toEqual([{ topic: 't', partition: 0, offset: 5n }]);
    expect(await commits.commitNow('request')).toEqual([]);
    expect(sent).toEqual([[{ topic: 't', partition: 0, offset: 5n }]]);
  });

  it('commits nothing before start or while the membership is uncertain, and keeps what settled for later', async () => {
    expect(await setup({ membership: () => undefined }).commits.commitNow('interval')).toEqual([]);
    const { commits, committer, sent } = setup({ lapsed: () => true });
    expect(await commits.commitNow('interval')).toEqual([]);
    expect(sent).toEqual([]);
    expect(committer.pending()).toEqual([{ topic: 't', partition: 0, offset: 5n }]);
  });

  it("sends to the sink instead of the membership when there is one, with the member's generation and id", async () => {
    const sunk: Array<[OffsetToCommit[], GroupMetadata]> = [];
    const { commits, sent } = setup({ sink: async (o, member) => void sunk.push([[...o], member]) });
    await commits.commitNow('stop');
    expect(sunk).toEqual([[[{ topic: 't', partition: 0, offset: 5n }], { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null }]]);
    expect(sent).toEqual([]);
  });

  it('logs a failed commit and answers nothing committed; a requested one throws a TributaryError', async () => {
    const { commits, warnings, committer } = setup({ sink: async () => { throw new Error('coordinator moved'); } });
    expect(await commits.commitNow('interval')).toEqual([]);
    expect(warnings).toHaveLength(1);
    await expect(commits.commitNow('request', true)).rejects.toSatisfy((e: unknown) => e instanceof TributaryError && e.message.includes('coordinator moved'));
    expect(committer.pending()).toEqual([{ topic: 't', partition: 0, offset: 5n }]);
  });

  it('commits at its interval until stopped', async () => {
    const { commits, sent, committer } = setup();
    commits.startInterval(5);
    await expect.poll(() => sent.length, { timeout: 10_000 }).toBe(1);
    commits.stopInterval();
    committer.tracker('t', 0)!.settleThrough(9n);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
  });

  it('sends no interval commit while one is under way: a commit slower than the interval never queues more behind it', async () => {
    let release: () => void = () => {};
    const sunk: OffsetToCommit[][] = [];
    let asked = 0;
    const membership = { groupMetadata: () => ({ groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null }) } as unknown as GroupMembership;
    const { commits, committer } = setup({
      sink: async (o) => { sunk.push([...o]); await new Promise<void>((r) => (release = r)); },
      // Asked once by each commit the group sends or queues.
      membership: () => (asked++, membership),
    });
    commits.startInterval(5);
    await expect.poll(() => sunk.length, { timeout: 10_000 }).toBe(1);
    committer.tracker('t', 0)!.settleThrough(9n);
    const before = asked;
    // Some forty ticks pass while the first commit hangs: none of them queues one.
    await new Promise((r) => setTimeout(r, 200));
    expect(asked - before).toBe(0);
    expect(committer.busy).toBe(true);
    release();
    // The first tick after it ends takes everything settled meanwhile, in one commit.
    await expect.poll(() => sunk.length, { timeout: 10_000 }).toBe(2);
    release();
    commits.stopInterval();
    await expect.poll(() => committer.busy, { timeout: 10_000 }).toBe(false);
    expect(sunk).toEqual([[{ topic: 't', partition: 0, offset: 5n }], [{ topic: 't', partition: 0, offset: 10n }]]);
  });
});
