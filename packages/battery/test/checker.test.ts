import { describe, expect, it } from 'vitest';
import { check, type Observed, type ObservedRecord } from '../src/checker.js';
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

  it('reports stream gaps and reorderings, and lets a restarted listener begin again at or before where it was', () => {
    const el = (seq: number, incarnation = 'i1') => line('l', { k: 'stream', listener: 'l', incarnation, stream: 's', seq });
    expect(check([el(1), el(2), el(3), el(2, 'i2'), el(3, 'i2'), el(4, 'i2')], observed([])).anomalies).toEqual([]);
    expect(kinds(check([el(1), el(3)], observed([])))).toEqual(['stream-gap']);
    expect(kinds(check([el(1), el(2), el(2)], observed([])))).toEqual(['stream-reorder']);
    expect(kinds(check([el(1), el(2), el(5, 'i2')], observed([])))).toEqual(['stream-gap']);
  });
});
