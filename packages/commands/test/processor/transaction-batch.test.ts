import { describe, expect, it } from 'vitest';
import type { TransactionalOffsets, TransactionalRecord } from '@tributary/kafka';
import { TransactionBatch, type DoneCommand } from '../../src/processor/transaction-batch.js';

/** A transactional writer in memory: what each transaction held, and a switch to make the next one fail. */
function fakeWriter() {
  const transactions: Array<{ records: string[]; offsets: string[] }> = [];
  const sent: Array<TransactionalOffsets | undefined> = [];
  const writer = {
    failNext: false,
    transactions,
    sent,
    async commit(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
      sent.push(offsets);
      if (writer.failNext) {
        writer.failNext = false;
        throw new Error('transaction aborted');
      }
      transactions.push({ records: records.map((r) => r.value!.toString()), offsets: (offsets?.offsets ?? []).map((o) => `${o.topic}:${o.partition}@${o.offset}`) });
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
