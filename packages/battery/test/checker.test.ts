import { describe, expect, it } from 'vitest';
import { check, type Observed, type ObservedCommand, type ObservedRecord } from '../src/checker.js';
import type { HistoryEntry, HistoryInput } from '../src/history.js';

const T = 't';
let clock = 1000;
/** A history line at the next tick of a fake clock (or at `t`). */
function line(w: string, entry: HistoryInput, t?: number): HistoryEntry {
  clock = t ?? clock + 10;
  return { t: clock, w, ...entry } as HistoryEntry;
}
const rec = (partition: number, offset: number, id: string | undefined, topic = T): ObservedRecord => ({ topic, partition, offset: BigInt(offset), id });
const observed = (log: ObservedRecord[], extra: Partial<Observed> = {}): Observed => ({ log, deadLetters: [], commits: [], ...extra });
const kinds = (r: ReturnType<typeof check>) => r.anomalies.map((a) => a.kind);
const ok = (id: string, partition: number, offset: number) => line('p', { k: 'send', id, topic: T, status: 'ok', partition, offset: String(offset) });
const assign = (member: string, gen: number, partitions: number[], t?: number) => line(member, { k: 'assign', member, gen, partitions: partitions.map((partition) => ({ topic: T, partition })) }, t);
const deliver = (member: string, gen: number, partition: number, offset: number, id: string) => line(member, { k: 'deliver', member, gen, topic: T, partition, offset: String(offset), id });
const commit = (member: string, partition: number, offset: number) => line(member, { k: 'commit', member, topic: T, partition, offset: String(offset) });

describe('the checker', () => {
  it('finds nothing in a clean history', () => {
    const h = [ok('a', 0, 0), ok('b', 0, 1), assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m1', 0, 2)];
    const r = check(h, observed([rec(0, 0, 'a'), rec(0, 1, 'b')], { commits: [{ topic: T, partition: 0, offset: 2n }] }), { drainedTopics: [T] });
    expect(r.anomalies).toEqual([]);
    expect(r.stats).toMatchObject({ acked: 2, logRecords: 2, deliveries: 2, commits: 1 });
  });

  it('reports an acknowledged write missing from the log as lost, and one found elsewhere as misplaced', () => {
    const r = check([ok('a', 0, 0), ok('b', 0, 1)], observed([rec(0, 0, 'b')]));
    expect(kinds(r).sort()).toEqual(['lost', 'misplaced-ack']);
  });

  it('reports a write reported failed but present as a phantom; unknown outcomes may go either way', () => {
    const h = [line('p', { k: 'send', id: 'a', topic: T, status: 'failed' }), line('p', { k: 'send', id: 'b', topic: T, status: 'unknown' }), line('p', { k: 'send', id: 'c', topic: T, status: 'unknown' })];
    expect(kinds(check(h, observed([rec(0, 0, 'a'), rec(0, 1, 'b')])))).toEqual(['phantom']);
  });

  it('reports one payload id at two offsets as a log duplicate', () => {
    expect(kinds(check([ok('a', 0, 0)], observed([rec(0, 0, 'a'), rec(0, 1, 'a')])))).toEqual(['log-duplicate']);
  });

  it('accepts a redelivery of an uncommitted record to the member that took over, and reports one after a commit past it', () => {
    const log = [rec(0, 0, 'a'), rec(0, 1, 'b')];
    const within = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m1', 0, 1), assign('m2', 1, [0]), deliver('m2', 1, 0, 1, 'b')];
    expect(check(within, observed(log)).anomalies).toEqual([]);
    const outside = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m1', 0, 2), assign('m2', 1, [0]), deliver('m2', 1, 0, 1, 'b')];
    expect(kinds(check(outside, observed(log)))).toEqual(['redelivery']);
    const twiceInOneAssignment = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 0, 'a')];
    expect(kinds(check(twiceInOneAssignment, observed(log)))).toEqual(['redelivery']);
  });

  it('reports a commit past an unhandled record as skipped, and a commit moving back as backward', () => {
    const log = [rec(0, 0, 'a'), rec(0, 1, 'b'), rec(0, 2, 'c')];
    const skipped = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), commit('m1', 0, 2), deliver('m1', 1, 0, 1, 'b')];
    expect(kinds(check(skipped, observed(log)))).toEqual(['skipped-commit']);
    const backward = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m1', 0, 2), commit('m1', 0, 1)];
    expect(kinds(check(backward, observed(log)))).toEqual(['backward-commit']);
    // A commit that left before another's answer, answered after it (the process stood still), is not backward:
    // the two were in flight together. Left after that answer, it is.
    const frozen = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m2', 0, 2), commit('m1', 0, 1)];
    const answeredLate = frozen.map((e, i) => (i === 4 ? { ...e, sentAt: e.t - 100 } : e));
    expect(kinds(check(answeredLate, observed(log))).filter((k) => k === 'backward-commit')).toEqual([]);
    const leftAfter = frozen.map((e, i) => (i === 4 ? { ...e, sentAt: e.t - 1 } : e));
    expect(kinds(check(leftAfter, observed(log))).filter((k) => k === 'backward-commit')).toEqual(['backward-commit']);
    const finalBehind = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), deliver('m1', 1, 0, 1, 'b'), commit('m1', 0, 2)];
    expect(kinds(check(finalBehind, observed(log, { commits: [{ topic: T, partition: 0, offset: 1n }] })))).toEqual(['backward-commit']);
    expect(kinds(check(finalBehind, observed(log, { commits: [{ topic: T, partition: 0, offset: 3n }] })))).toEqual(['skipped-commit']);
  });

  it('reports a commit for a partition the member did not own, by its own view or by a later owner', () => {
    const log = [rec(0, 0, 'a'), rec(1, 0, 'b')];
    const notMine = [assign('m1', 1, [1]), deliver('m1', 1, 1, 0, 'b'), deliver('m1', 1, 0, 0, 'a'), commit('m1', 0, 1)];
    expect(kinds(check(notMine, observed(log)))).toEqual(['commit-not-owned']);
    const stale = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), assign('m2', 1, [0], 5000), commit('m1', 0, 1)];
    clock = 9000;
    expect(kinds(check(stale, observed(log)))).toEqual([]); // within the slack: sent in the old generation
    const late = [assign('m1', 1, [0], 20_000), deliver('m1', 1, 0, 0, 'a'), assign('m2', 1, [0], 21_000), commit('m1', 0, 1)];
    late[3] = { ...late[3]!, t: 30_000 };
    expect(kinds(check(late, observed(log)))).toEqual(['commit-not-owned']);
  });

  it('reports records of a drained topic never handled, and a final commit short of the end', () => {
    const log = [rec(0, 0, 'a'), rec(0, 1, 'b')];
    const h = [assign('m1', 1, [0]), deliver('m1', 1, 0, 0, 'a'), commit('m1', 0, 1)];
    const r = check(h, observed(log, { commits: [{ topic: T, partition: 0, offset: 1n }] }), { drainedTopics: [T] });
    expect(kinds(r)).toEqual(['undelivered', 'undelivered']);
  });

  it('reports a record given up on but absent from the dead-letter topic', () => {
    const h = [line('m1', { k: 'dead-letter', member: 'm1', topic: T, partition: 0, offset: '0', id: 'a' }), line('m1', { k: 'dead-letter', member: 'm1', topic: T, partition: 0, offset: '1', id: 'b' })];
    expect(kinds(check(h, observed([], { deadLetters: [rec(0, 0, 'b', `${T}.DLT`)] })))).toEqual(['lost-dead-letter']);
  });

  it('reports a request without exactly one outcome', () => {
    const h = [
      line('r', { k: 'request', id: 'q1' }), line('r', { k: 'outcome', id: 'q1', outcome: 'response' }),
      line('r', { k: 'request', id: 'q2' }),
      line('r', { k: 'request', id: 'q3' }), line('r', { k: 'outcome', id: 'q3', outcome: 'response' }), line('r', { k: 'outcome', id: 'q3', outcome: 'TIMEOUT' }),
      line('r', { k: 'request', id: 'q4' }), line('r', { k: 'outcome', id: 'q4', outcome: 'REQUEST_TIMEOUT' }),
      line('r', { k: 'request', id: 'q5' }), line('r', { k: 'outcome', id: 'q5', outcome: 'wrong-response' }),
    ];
    const r = check(h, observed([]));
    expect(r.anomalies.map((a) => a.message)).toEqual(['request q2 got 0 outcomes', 'request q3 got 2 outcomes: response, TIMEOUT', "request q5 got another request's response"]);
  });

  describe('streams', () => {
    const el = (seq: number, incarnation = 'l1', stream = 's') => line(incarnation, { k: 'stream', listener: 'l', incarnation, stream, seq });
    const header = (afterSeq: number, incarnation = 'l1', stream = 's') => line(incarnation, { k: 'stream', listener: 'l', incarnation, stream, seq: afterSeq, header: true });
    const end = (incarnation = 'l1', stream = 's') => line(incarnation, { k: 'stream-end', listener: 'l', incarnation, stream });
    const put = (seq: number, status: 'ok' | 'failed' = 'ok', stream = 's') => line('w', { k: 'stream-put', stream, seq, status });
    const closed = (lastSeq: number, stream = 's') => line('w', { k: 'stream-close', stream, lastSeq });
    const stop = (incarnation: string, streams: string[]) => line(incarnation, { k: 'stream-stop', listener: 'l', incarnation, streams });

    it('accepts the header, then every put after it through the close, and a restarted listener as a new one', () => {
      const h = [put(0), put(1), put(2), header(-1), el(0), el(1), header(1, 'l2'), el(2), el(2, 'l2'), put(3), el(3, 'l2'), closed(3), end('l2'), stop('l2', ['s'])];
      const r = check(h, observed([]));
      expect(r.anomalies).toEqual([]);
      expect(r.stats.streamElements).toBe(7);
      // A listener that waited for the stream to begin starts at its first put, with no header.
      expect(check([el(0), el(1)], observed([])).anomalies).toEqual([]);
    });

    it('reports a gap, within a listener or after its header, and a close short of the last put acknowledged', () => {
      expect(kinds(check([header(-1), el(0), el(2)], observed([])))).toEqual(['stream-gap']);
      expect(kinds(check([header(4), el(6)], observed([])))).toEqual(['stream-gap']);
      // A restarted listener is a new listener: its own header first, then on from there, never a gap.
      expect(kinds(check([header(-1), el(0), el(1), header(5, 'l2'), el(7, 'l2')], observed([])))).toEqual(['stream-gap']);
      expect(kinds(check([put(0), put(1), closed(1), header(-1), el(0), end()], observed([])))).toEqual(['stream-gap']);
    });

    it('reports a put not after the previous, a header after the listener began, and anything after the close', () => {
      expect(kinds(check([header(-1), el(0), el(1), el(1)], observed([])))).toEqual(['stream-reorder']);
      expect(kinds(check([header(-1), el(0), el(2), el(1)], observed([])))).toEqual(['stream-gap', 'stream-reorder']);
      expect(kinds(check([header(-1), el(0), header(0)], observed([])))).toEqual(['stream-reorder']);
      expect(kinds(check([header(-1), el(0), end(), el(1)], observed([])))).toEqual(['stream-reorder']);
      // A put the writer made again after it failed may be in the stream twice: seen twice in a row, it is no reorder.
      expect(check([put(0), put(1, 'failed'), put(1), header(-1), el(0), el(1), el(1), el(2)], observed([])).anomalies).toEqual([]);
    });

    it('reports a listener that began mid-stream without its header', () => {
      const r = check([el(3), el(4)], observed([]));
      expect(kinds(r)).toEqual(['stream-header']);
      expect(r.anomalies[0]!.message).toBe('l1 began s at #3 without its header');
    });

    it('reports a listener stopped without the close of a stream the writer closed', () => {
      const h = [header(-1), el(0), header(-1, 'l1', 't'), el(0, 'l1', 't'), closed(0), end('l1', 't'), stop('l1', ['s', 't', 'u'])];
      const r = check(h, observed([]));
      expect(kinds(r)).toEqual(['stream-unfinished']);
      expect(r.anomalies[0]!.message).toBe('l1 stopped without the close of s, which the writer closed');
    });
  });

  describe('commands', () => {
    const sent = (ref: string, id: string) => line('c', { k: 'command-send', ref, status: 'ok', id, partition: 0, offset: '0' });
    const run = (id: string, ref: string, type = 'battery-chain', processor = 'p1') => line(processor, { k: 'command-run', processor, id, type, ref });
    let offset = 0;
    const cmd = (id: string, causationId?: string): ObservedCommand => ({ partition: 0, offset: BigInt(offset++), id, type: causationId ? 'battery-effect' : 'battery-chain', causationId });

    it('accepts every command executed once or more, with its follow-up once in the log and executed', () => {
      const h = [sent('r1', 'a'), sent('r2', 'b'), run('a', 'r1'), run('b', 'r2'), run('b', 'r2', 'battery-chain', 'p2'), run('fa', 'r1', 'battery-effect'), run('fb', 'r2', 'battery-effect')];
      const r = check(h, observed([], { commands: [cmd('a'), cmd('b'), cmd('fa', 'a'), cmd('fb', 'b')] }));
      expect(r.anomalies).toEqual([]);
      expect(r.stats).toMatchObject({ commandsSent: 2, commandRuns: 5, commandReruns: 1 });
      // A send whose outcome is unknown is not owed anything.
      expect(check([line('c', { k: 'command-send', ref: 'r3', status: 'unknown' })], observed([])).anomalies).toEqual([]);
    });

    it('reports a command acknowledged but never executed, one whose follow-up is missing, and a follow-up never executed', () => {
      const r = check([sent('r1', 'a'), sent('r2', 'b'), run('b', 'r2'), sent('r3', 'c'), run('c', 'r3')], observed([], { commands: [cmd('a'), cmd('b'), cmd('c'), cmd('fc', 'c')] }));
      expect(r.anomalies.map((a) => a.message)).toEqual([
        'command a (r1) was acknowledged at 0@0 but never executed',
        'command b (r2) was executed but its follow-up is not in the log',
        expect.stringMatching(/^follow-up fc \(battery-effect\) of c is in the log at 0@\d+ but was never executed$/),
      ]);
      expect(kinds(r)).toEqual(['command-lost', 'command-lost', 'command-lost']);
    });

    it('reports a command id in the read_committed log twice', () => {
      const h = [sent('r1', 'a'), run('a', 'r1'), run('a', 'r1', 'battery-chain', 'p2'), run('fa', 'r1', 'battery-effect')];
      expect(kinds(check(h, observed([], { commands: [cmd('a'), cmd('fa', 'a'), cmd('fa', 'a')] })))).toEqual(['command-duplicate']);
    });
  });
});
