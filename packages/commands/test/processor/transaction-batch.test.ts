import { describe, expect, it } from 'vitest';
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { TransactionalOffsets, TransactionalRecord, TransactionInDoubt, TransactionOutcome } from '@tributary/kafka';
import { TransactionBatch, type DoneCommand } from '../../src/processor/transaction-batch.js';

/**
 * A transactional writer in memory: what each transaction held, a switch to make the next one fail, and one to
 * lose the answer of the next one's commit (it commits or not, as `lostCommits`, and the outcome is in doubt).
 */
function fakeWriter() {
  const transactions: Array<{ records: string[]; offsets: string[] }> = [];
  const sent: Array<TransactionalOffsets | undefined> = [];
  const outcomes = new Map<string, TransactionOutcome>();
  const writer = {
    failNext: false,
    loseNextAnswer: undefined as TransactionOutcome | undefined,
    /** Whether Kafka tells the outcome of a transaction in doubt when asked. */
    tells: true,
    asked: 0,
    transactions,
    sent,
    async commit(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
      sent.push(offsets);
      if (writer.failNext) {
        writer.failNext = false;
        throw new Error('transaction aborted');
      }
      const transaction = { records: records.map((r) => r.value!.toString()), offsets: (offsets?.offsets ?? []).map((o) => `${o.topic}:${o.partition}@${o.offset}`) };
      const lost = writer.loseNextAnswer;
      if (lost) {
        writer.loseNextAnswer = undefined;
        if (lost === 'committed') transactions.push(transaction);
        const doubt: TransactionInDoubt = { transactionalId: 'x', tag: `tag-${sent.length}`, groupId: 'g', partitions: offsets?.offsets ?? [] };
        outcomes.set(doubt.tag, lost);
        throw new TributaryError(ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN, 'answer lost', { context: { transaction: doubt } });
      }
      transactions.push(transaction);
    },
    async outcome(doubt: TransactionInDoubt): Promise<TransactionOutcome> {
      writer.asked++;
      if (!writer.tells) throw new TributaryError(ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN, 'still unknown', { context: { transaction: doubt } });
      return outcomes.get(doubt.tag)!;
    },
  };
  return writer;
}

function done(partition: number, offset: bigint, id = `c${partition}-${offset}`): DoneCommand {
  return { topic: 't', partition, offset, id, records: [{ topic: 't', key: null, value: Buffer.from(`follow-up of ${id}`) }], followUps: 1 };
}

describe('TransactionBatch', () => {
  it('commits, with the offsets, exactly the follow-ups of the commands below them', async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    for (const offset of [0n, 1n, 2n]) batch.add(done(0, offset));
    batch.add(done(1, 5n));
    // Partition 0 settled through offset 1 only (offset 2 is still being handled); partition 1 through 5.
    const committed = await batch.commit([{ topic: 't', partition: 0, offset: 2n }, { topic: 't', partition: 1, offset: 6n }]);
    expect(committed.map((d) => d.id)).toEqual(['c0-0', 'c0-1', 'c1-5']);
    expect(writer.transactions).toEqual([{ records: ['follow-up of c0-0', 'follow-up of c0-1', 'follow-up of c1-5'], offsets: ['t:0@2', 't:1@6'] }]);
    expect(batch.size).toBe(1);
    await batch.commit([{ topic: 't', partition: 0, offset: 3n }]);
    expect(writer.transactions[1]).toEqual({ records: ['follow-up of c0-2'], offsets: ['t:0@3'] });
    expect(batch.size).toBe(0);
  });

  it("sends the offsets with their leader epochs and the consuming member's generation, for the coordinator to fence a zombie", async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    batch.add(done(0, 0n));
    const member = { groupId: 'g', generationId: 7, memberId: 'm-1', groupInstanceId: null };
    await batch.commit([{ topic: 't', partition: 0, offset: 1n, leaderEpoch: 3 }, { topic: 't', partition: 1, offset: 4n }], member);
    expect(writer.sent).toEqual([{ groupId: 'g', member, offsets: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: 3 }, { topic: 't', partition: 1, offset: 4n }] }]);
  });

  it('keeps what an aborted transaction held, for the next one: nothing lost, nothing twice', async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    batch.add(done(0, 0n));
    writer.failNext = true;
    await expect(batch.commit([{ topic: 't', partition: 0, offset: 1n }])).rejects.toThrow('aborted');
    expect(batch.holds('c0-0')).toBe(true);
    batch.add(done(0, 1n));
    await batch.commit([{ topic: 't', partition: 0, offset: 2n }]);
    expect(writer.transactions).toEqual([{ records: ['follow-up of c0-0', 'follow-up of c0-1'], offsets: ['t:0@2'] }]);
    expect(batch.holds('c0-0')).toBe(false);
  });

  it('a transaction in doubt that committed is never sent again: the next commit asks first, and fails while nobody can tell', async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    batch.add(done(0, 0n));
    batch.add(done(0, 1n));
    writer.loseNextAnswer = 'committed';
    await expect(batch.commit([{ topic: 't', partition: 0, offset: 2n }])).rejects.toMatchObject({ code: ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN });
    batch.add(done(0, 2n));
    writer.tells = false;
    await expect(batch.commit([{ topic: 't', partition: 0, offset: 3n }])).rejects.toMatchObject({ code: ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN });
    expect(writer.transactions).toHaveLength(1);
    writer.tells = true;
    const committed = await batch.commit([{ topic: 't', partition: 0, offset: 3n }]);
    // The commands of the transaction found committed are reported with this commit, for the dedupe store.
    expect(committed.map((d) => d.id)).toEqual(['c0-0', 'c0-1', 'c0-2']);
    expect(writer.transactions).toEqual([
      { records: ['follow-up of c0-0', 'follow-up of c0-1'], offsets: ['t:0@2'] },
      { records: ['follow-up of c0-2'], offsets: ['t:0@3'] },
    ]);
    expect(batch.size).toBe(0);
    // Settled: later commits do not ask again.
    const asked = writer.asked;
    await batch.commit([{ topic: 't', partition: 0, offset: 3n }]);
    expect(writer.asked).toBe(asked);
  });

  it('a transaction in doubt that aborted goes in the next one, once', async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    batch.add(done(0, 0n));
    writer.loseNextAnswer = 'aborted';
    await expect(batch.commit([{ topic: 't', partition: 0, offset: 1n }])).rejects.toMatchObject({ code: ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN });
    batch.add(done(1, 4n));
    const committed = await batch.commit([{ topic: 't', partition: 0, offset: 1n }, { topic: 't', partition: 1, offset: 5n }]);
    expect(committed.map((d) => d.id)).toEqual(['c0-0', 'c1-4']);
    expect(writer.transactions).toEqual([{ records: ['follow-up of c0-0', 'follow-up of c1-4'], offsets: ['t:0@1', 't:1@5'] }]);
  });

  it('a partition handled again from an earlier offset drops what it held from there; a revoked one drops all', async () => {
    const writer = fakeWriter();
    const batch = new TransactionBatch(writer, 'g');
    for (const offset of [0n, 1n, 2n]) batch.add(done(0, offset));
    batch.add(done(1, 0n));
    // Read again from offset 1: the commands at 1 and 2 run again and are not their own duplicates.
    batch.handling('t', 0, 1n);
    expect([batch.holds('c0-1'), batch.holds('c0-2'), batch.holds('c0-0')]).toEqual([false, false, true]);
    batch.add(done(0, 1n));
    batch.revoke([{ topic: 't', partition: 1 }]);
    expect(batch.holds('c1-0')).toBe(false);
    await batch.commit([{ topic: 't', partition: 0, offset: 3n }, { topic: 't', partition: 1, offset: 1n }]);
    expect(writer.transactions).toEqual([{ records: ['follow-up of c0-0', 'follow-up of c0-1'], offsets: ['t:0@3', 't:1@1'] }]);
  });

  it('knows an id held twice until both commands are committed', async () => {
    const batch = new TransactionBatch(fakeWriter(), 'g');
    batch.add(done(0, 0n, 'same'));
    batch.add(done(1, 0n, 'same'));
    await batch.commit([{ topic: 't', partition: 0, offset: 1n }]);
    expect(batch.holds('same')).toBe(true);
    await batch.commit([{ topic: 't', partition: 1, offset: 1n }]);
    expect(batch.holds('same')).toBe(false);
  });
});
