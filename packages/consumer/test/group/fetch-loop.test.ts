import { afterEach, describe, expect, it } from 'vitest';
import { createCodecLookup, encodeEvent, ErrorCodes, Event, jsonCodec, TributaryError } from '@tributary/core';
import type { DecodedRecord, FetchOptions, PartitionFetch, PartitionFetchRequest, UndecodableBatch } from '@tributary/kafka';
import { waitFor } from '@tributary/test-kit';
import { Committer } from '../../src/commit/committer.js';
import { MemoryDeadLetterPublisher } from '../../src/failure/memory-dead-letter-publisher.js';
import { retryPolicy } from '../../src/failure/retry-policy.js';
import { FetchLoop, type PartitionFetcher } from '../../src/group/fetch-loop.js';
import { PauseControl } from '../../src/group/pause-control.js';
import { silentLogger } from '../../src/logging/logger.js';
import { RecordProcessor } from '../../src/processing/record-processor.js';
import { Router, type EventHandler } from '../../src/routing/router.js';

const T0 = { topic: 't', partition: 0 };
const T1 = { topic: 't', partition: 1 };

async function log(count: number, partition = 0): Promise<DecodedRecord[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const r = await encodeEvent(Event.create({ category: 'a.b', key: `k${i}`, payload: { p: partition, i } }), jsonCodec, 't');
      return { offset: BigInt(i), key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp };
    }),
  );
}

/** Partitions held in memory; each fetch returns up to `chunk` records from the offset asked. */
class FakeFetcher implements PartitionFetcher {
  readonly logs = new Map<number, DecodedRecord[]>();
  readonly requests: PartitionFetchRequest[][] = [];
  /** The broker wait each request asked for. */
  readonly waits: number[] = [];
  chunk = 10;
  failNext: unknown;
  outOfRange = new Set<bigint>();
  /** Offsets whose fetch answers with this partition error (a batch that cannot be decoded, say). */
  readonly partitionErrors = new Map<bigint, TributaryError>();
  /** Where a partition's log ends past its last record (transaction markers after it), by partition. */
  readonly endOf = new Map<number, bigint>();
  /** Offsets where a batch that cannot be decoded lies, with how far it reaches. */
  readonly undecodable = new Map<bigint, UndecodableBatch>();

  /** Milliseconds before a partition's answer comes (as from its own leader); default 1. */
  readonly delays = new Map<number, number>();
  /** The leader epoch each record was appended under, by offset (default 0), as batches carry it. */
  readonly epochs = new Map<bigint, number>();
  /**
   * An unclean leader election happened: a request from past `to` whose last epoch the new leader's log ends at
   * `to` is answered LOG_TRUNCATED, as the reader does after checking the position.
   */
  truncation: { lostEpoch: number; to: bigint } | undefined;

  async fetchPartitions(requests: readonly PartitionFetchRequest[], options: FetchOptions, each: (answers: PartitionFetch[]) => void): Promise<void> {
    this.requests.push([...requests]);
    this.waits.push(options.maxWaitMs ?? 0);
    await new Promise((r) => setTimeout(r, 1));
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    await Promise.all(
      requests.map(async (r) => {
        await new Promise((done) => setTimeout(done, this.delays.get(r.partition) ?? 0));
        const all = this.logs.get(r.partition) ?? [];
        if (this.outOfRange.has(r.offset)) return each([{ ...r, records: [], next: r.offset, highWatermark: BigInt(all.length), lastStableOffset: BigInt(all.length), error: new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, 'out') }]);
        const cut = this.truncation;
        if (cut && r.lastEpoch === cut.lostEpoch && r.offset > cut.to) {
          const error = new TributaryError(ErrorCodes.LOG_TRUNCATED, 'truncated', { context: { topic: r.topic, partition: r.partition, offset: r.offset.toString(), truncatedTo: cut.to.toString() } });
          return each([{ ...r, records: [], next: r.offset, highWatermark: BigInt(all.length), lastStableOffset: BigInt(all.length), error }]);
        }
        const failure = this.partitionErrors.get(r.offset);
        if (failure) return each([{ ...r, records: [], next: r.offset, highWatermark: BigInt(all.length), lastStableOffset: BigInt(all.length), error: failure }]);
        const bad = [...this.undecodable.values()].find((b) => r.offset >= b.baseOffset && r.offset < b.skipTo!);
        if (bad) return each([{ ...r, records: [], next: r.offset, highWatermark: BigInt(all.length), lastStableOffset: BigInt(all.length), error: new TributaryError(ErrorCodes.DECODE_FAILED, 'CRC mismatch'), undecodable: bad }]);
        const before = [...this.undecodable.values()].find((b) => b.baseOffset > r.offset);
        const records = all.filter((x) => x.offset >= r.offset && (before === undefined || x.offset < before.baseOffset)).slice(0, this.chunk);
        const last = records[records.length - 1];
        const lastEpoch = last ? (this.epochs.get(last.offset) ?? 0) : r.lastEpoch;
        // A fetch that reaches the last record steps over the markers after it, as the broker's batches do.
        const end = this.endOf.get(r.partition);
        const past = last ? last.offset + 1n : r.offset;
        const next = end !== undefined && past >= BigInt(all.length) && end > past ? end : past;
        each([{ ...r, records, next, lastEpoch, highWatermark: BigInt(all.length), lastStableOffset: BigInt(all.length) }]);
      }),
    );
  }
}

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

function setup(handle: EventHandler, options: { concurrency?: number; resetTo?: bigint; onUndecodableBatch?: 'dead-letter' | 'stop' } = {}) {
  const fetcher = new FakeFetcher();
  const publisher = new MemoryDeadLetterPublisher();
  const committer = new Committer();
  committer.assign([T0, T1]);
  const pauses = new PauseControl({ pause: () => {}, resume: () => loop.wake() }, { initialDelayMs: 60_000, maxDelayMs: 60_000 });
  const stop = new AbortController();
  stops.push(stop);
  let rebalancing = false;
  let uncertain = false;
  const resets: bigint[] = [];
  const stalls: string[] = [];
  const truncations: string[] = [];
  const loop: FetchLoop = new FetchLoop({
    fetcher,
    processor: new RecordProcessor({ router: new Router({ '#': handle }), codecs: createCodecLookup(), retry: retryPolicy({ attempts: 1 }), group: 'g', deadLetterTopic: (t) => `${t}.DLT`, publisher }),
    committer, pauses, logger: silentLogger, signal: stop.signal,
    concurrency: options.concurrency ?? 1,
    onUndecodableBatch: options.onUndecodableBatch ?? 'dead-letter',
    fetch: { maxWaitMs: 300 },
    rebalancing: () => rebalancing,
    uncertain: () => uncertain,
    resetPosition: async (p) => {
      resets.push(p.next);
      return options.resetTo ?? 0n;
    },
    stalled: (p, reason, offset) => void stalls.push(`${p.partition}@${offset} ${reason}`),
    progressed: (p) => void stalls.push(`${p.partition} progressed`),
    truncated: (p, from, to, error) => void truncations.push(`${p.partition} ${from}->${to} ${error.code}`),
  });
  loop.start();
  return { loop, fetcher, committer, pauses, publisher, stop, resets, stalls, truncations, setRebalancing: (v: boolean) => void ((rebalancing = v), loop.wake()),
    setUncertain: (v: boolean) => void ((uncertain = v), loop.wake()) };
}

const payloadOf = (e: Event) => e.payload as { p: number; i: number };

describe('FetchLoop', () => {
  it('handles each partition in offset order from the position it was given, and settles what it handled', async () => {
    const seen: string[] = [];
    const { loop, fetcher, committer } = setup((e) => void seen.push(`${payloadOf(e).p}:${payloadOf(e).i}`));
    fetcher.logs.set(0, await log(25, 0));
    fetcher.logs.set(1, await log(5, 1));
    loop.assign([{ ...T0, next: 3n }, { ...T1, next: 0n }]);
    await waitFor('all handled', async () => (seen.length === 27 ? true : undefined), 5000);
    expect(seen.filter((s) => s.startsWith('0:'))).toEqual(Array.from({ length: 22 }, (_, i) => `0:${i + 3}`));
    expect(seen.filter((s) => s.startsWith('1:'))).toEqual(['1:0', '1:1', '1:2', '1:3', '1:4']);
    expect(committer.pending()).toEqual([{ ...T0, offset: 25n, leaderEpoch: 0 }, { ...T1, offset: 5n, leaderEpoch: 0 }]);
    expect(loop.position(T0)).toBe(25n);
  });

  it("fetches a partition's next records while its current ones are handled, holding at most one fetch waiting", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const { loop, fetcher } = setup(async (e) => {
      if (payloadOf(e).i === 0) await gate;
      seen.push(payloadOf(e).i);
    });
    fetcher.logs.set(0, await log(50));
    loop.assign([{ ...T0, next: 0n }]);
    // The first chunk is in hand (blocked on record 0), the second fetched and waiting: no third fetch.
    await waitFor('two fetches', async () => (fetcher.requests.length >= 2 ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(fetcher.requests.map((r) => r[0]!.offset)).toEqual([0n, 10n]);
    release();
    await waitFor('all handled', async () => (seen.length === 50 ? true : undefined), 5000);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('pauses a partition at a record it cannot settle and reads it again from there once resumed', async () => {
    const seen: number[] = [];
    let failing = true;
    const { loop, fetcher, publisher, pauses, committer, stalls } = setup((e) => {
      if (payloadOf(e).i === 2 && failing) throw new Error('bad');
      seen.push(payloadOf(e).i);
    });
    publisher.failing = true;
    fetcher.logs.set(0, await log(5));
    loop.assign([{ ...T0, next: 0n }]);
    await waitFor('paused', async () => (pauses.isPaused(T0) ? true : undefined), 5000);
    expect(seen).toEqual([0, 1]);
    expect(committer.pending()).toEqual([{ ...T0, offset: 2n, leaderEpoch: 0 }]);
    expect(loop.position(T0)).toBe(2n);
    failing = false;
    publisher.failing = false;
    pauses.unblock(T0);
    // The record that could not be settled comes back, and its kept letter is written this time.
    await waitFor('the rest settled', async () => (seen.length === 4 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 3, 4]);
    expect(publisher.letters.map((l) => l.origin.offset)).toEqual([2n]);
    expect(committer.pending()).toEqual([{ ...T0, offset: 5n, leaderEpoch: 0 }]);
    // The stall was reported once, at the record it waited at, and its end too.
    expect(stalls).toEqual(['0@2 dead-letter-failed', '0 progressed']);
  });

  it('stops a partition at bytes it cannot decode, reports it, and goes on from a seek past them', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i));
    s.fetcher.logs.set(0, await log(6));
    s.fetcher.chunk = 3;
    s.fetcher.partitionErrors.set(3n, new TributaryError(ErrorCodes.DECODE_FAILED, 'CRC mismatch', { context: { offset: '3' } }));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('stalled', async () => (s.stalls.length > 0 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2]);
    expect(s.stalls).toEqual(['0@3 undecodable-batch']);
    // No retry loop: the partition stays where it is.
    const asked = s.fetcher.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(s.fetcher.requests.length).toBe(asked);
    s.loop.seek(T0, 4n);
    await waitFor('the rest handled', async () => (seen.length === 5 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2, 4, 5]);
    expect(s.stalls).toEqual(['0@3 undecodable-batch', '0 progressed']);
  });

  it('dead-letters the bytes of a batch it cannot decode once the records before it settled, and reads on after it', async () => {
    const seen: number[] = [];
    const s = setup(async (e) => { await new Promise((r) => setTimeout(r, 5)); seen.push(payloadOf(e).i); });
    s.fetcher.logs.set(0, await log(8));
    s.fetcher.undecodable.set(3n, { baseOffset: 3n, skipTo: 6n, bytes: Buffer.from('bad batch') });
    s.publisher.failing = true;
    s.loop.assign([{ ...T0, next: 0n }]);
    // The letter cannot be written yet: the partition waits at the batch, reported, nothing committed past it.
    await waitFor('stalled', async () => (s.stalls.length > 0 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2]);
    expect(s.stalls).toEqual(['0@3 dead-letter-failed']);
    expect(s.committer.pending()).toEqual([{ ...T0, offset: 3n, leaderEpoch: 0 }]);
    s.publisher.failing = false;
    s.pauses.unblock(T0);
    await waitFor('the rest handled', async () => (seen.length === 5 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2, 6, 7]);
    const [letter] = s.publisher.letters;
    expect(s.publisher.letters).toHaveLength(1);
    expect(letter!.value?.toString()).toBe('bad batch');
    expect(letter!.origin).toMatchObject({ topic: 't', partition: 0, offset: 3n, errorCode: 'DECODE_FAILED', attempts: 0 });
    expect(letter!.headers['tributary-dlt-batch-end-offset']!.toString()).toBe('6');
    expect(s.committer.pending()).toEqual([{ ...T0, offset: 8n, leaderEpoch: 0 }]);
    expect(s.stalls).toEqual(['0@3 dead-letter-failed', '0 progressed']);
  });

  it('commits past the transaction markers after the last record once the records before them settled', async () => {
    const seen: number[] = [];
    const s = setup(async (e) => { await new Promise((r) => setTimeout(r, 2)); seen.push(payloadOf(e).i); });
    s.fetcher.logs.set(0, await log(5));
    s.fetcher.chunk = 3;
    s.fetcher.endOf.set(0, 8n);
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('all handled', async () => (seen.length === 5 ? true : undefined), 5000);
    await waitFor('committed past the markers', async () => (s.committer.pending()[0]?.offset === 8n ? true : undefined), 5000);
    expect(s.loop.position(T0)).toBe(8n);
  });

  it("stops at a batch it cannot decode with onUndecodableBatch 'stop'", async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i), { onUndecodableBatch: 'stop' });
    s.fetcher.logs.set(0, await log(8));
    s.fetcher.undecodable.set(3n, { baseOffset: 3n, skipTo: 6n, bytes: Buffer.from('bad batch') });
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('stalled', async () => (s.stalls.length > 0 ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([0, 1, 2]);
    expect(s.stalls).toEqual(['0@3 undecodable-batch']);
    expect(s.publisher.letters).toEqual([]);
  });

  it('reports a partition whose fetches keep failing for a reason that may pass, and keeps trying', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i));
    s.fetcher.logs.set(0, await log(2));
    s.fetcher.partitionErrors.set(0n, new TributaryError(ErrorCodes.CONNECTION, 'leader gone', { retriable: true }));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('stalled', async () => (s.stalls.length > 0 ? true : undefined), 30_000);
    expect(s.stalls).toEqual(['0@0 fetch-failing']);
    s.fetcher.partitionErrors.clear();
    await waitFor('handled once the leader answers', async () => (seen.length === 2 ? true : undefined), 5000);
    expect(s.stalls).toEqual(['0@0 fetch-failing', '0 progressed']);
  }, 40_000);

  it('stops at a pause made by a synchronous handler, before the next record, and goes on from it after resume', async () => {
    const seen: number[] = [];
    const s = setup((e) => {
      seen.push(payloadOf(e).i);
      if (payloadOf(e).i === 3) s.pauses.pauseByUser([T0], [T0]);
    });
    const pauses = s.pauses;
    s.fetcher.logs.set(0, await log(8));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('paused after 3', async () => (seen.length === 4 ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(s.loop.position(T0)).toBe(4n);
    pauses.resumeByUser([T0], [T0]);
    await waitFor('resumed', async () => (seen.length === 8 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads from a seek on: records fetched before it are dropped, the record in hand is the last of them', async () => {
    const seen: number[] = [];
    const s = setup(async (e) => {
      seen.push(payloadOf(e).i);
      if (payloadOf(e).i === 5 && seen.length === 6) {
        // As the group does: the commit position moves with the seek.
        s.committer.tracker('t', 0)!.seekTo(1n);
        s.loop.seek(T0, 1n);
      }
    });
    const loop = s.loop;
    s.fetcher.logs.set(0, await log(8));
    loop.assign([{ ...T0, next: 0n }]);
    await waitFor('all after the seek', async () => (seen.length === 6 + 7 ? true : undefined), 5000);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('handles nothing during a rebalance and nothing of a revoked partition', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i));
    s.fetcher.logs.set(0, await log(5));
    s.setRebalancing(true);
    s.loop.assign([{ ...T0, next: 0n }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    expect(s.fetcher.requests).toEqual([]);
    s.loop.revoke([T0]);
    s.setRebalancing(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    expect(s.loop.position(T0)).toBeUndefined();
  });

  it('hands nothing over while the membership is uncertain, and goes on from the record it stopped at once confirmed', async () => {
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The process stands still in the handler of record 3; when it runs again, the session has lapsed.
    const s = setup(async (e) => {
      if (payloadOf(e).i === 3) await gate;
      seen.push(payloadOf(e).i);
    });
    s.fetcher.logs.set(0, await log(30));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('record 3 in hand', async () => (seen.length === 3 ? true : undefined), 5000);
    s.setUncertain(true);
    release();
    await new Promise((r) => setTimeout(r, 100));
    // The record in hand finishes; nothing fetched before is handed over, nothing more is fetched.
    expect(seen).toEqual([0, 1, 2, 3]);
    const asked = s.fetcher.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.fetcher.requests.length).toBe(asked);
    expect(s.committer.pending()).toEqual([{ ...T0, offset: 4n, leaderEpoch: 0 }]);
    // Confirmed (a heartbeat): the rest, from record 4 on, with no gap and no repeat.
    s.setUncertain(false);
    await waitFor('the rest handled', async () => (seen.length === 30 ? true : undefined), 5000);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('drops what it fetched before the membership turned uncertain for a partition revoked at the join', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i));
    s.fetcher.logs.set(0, await log(5));
    s.setUncertain(true);
    s.loop.assign([{ ...T0, next: 0n }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.fetcher.requests).toEqual([]);
    s.loop.revoke([T0]);
    s.setUncertain(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
  });

  it('notices an uncertain membership within 64 records of a synchronous run', async () => {
    const seen: number[] = [];
    let uncertainFrom = Number.POSITIVE_INFINITY;
    const s = setup((e) => {
      // As if the process stood still past its session while handling record 10.
      if (payloadOf(e).i === 10) s.setUncertain(true);
      seen.push(payloadOf(e).i);
      if (payloadOf(e).i === 10) uncertainFrom = seen.length;
    });
    s.fetcher.chunk = 200;
    s.fetcher.logs.set(0, await log(200));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('record 10 handled', async () => (uncertainFrom < Number.POSITIVE_INFINITY ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBeLessThanOrEqual(64);
    expect(s.loop.position(T0)).toBe(BigInt(seen.length));
  });

  it('takes no further record once stopping, and tells when it is idle', async () => {
    const seen: number[] = [];
    const s = setup(async (e) => {
      seen.push(payloadOf(e).i);
      await new Promise((r) => setTimeout(r, 20));
    });
    s.fetcher.logs.set(0, await log(100));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('one handled', async () => (seen.length >= 1 ? true : undefined), 5000);
    s.stop.abort();
    await s.loop.whenIdle();
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(seen.length).toBe(count);
    expect(count).toBeLessThan(100);
  });

  it('gives the event loop a turn during a long run of synchronous handlers', async () => {
    const s = setup(() => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    });
    s.fetcher.chunk = 400;
    s.fetcher.logs.set(0, await log(400));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('all handled', async () => (s.committer.pending()[0]?.offset === 400n ? true : undefined), 10_000);
    clearInterval(timer);
    // 400 ms of handlers in one chunk: without turns the timer could not fire until the end.
    expect(ticks).toBeGreaterThanOrEqual(4);
  });

  it('tries again after a failed fetch, and moves a position outside the log to where the context says', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i), { resetTo: 2n });
    s.fetcher.logs.set(0, await log(4));
    s.fetcher.failNext = new Error('connection reset');
    s.fetcher.outOfRange.add(9n);
    s.loop.assign([{ ...T0, next: 9n }]);
    await waitFor('handled after the reset', async () => (seen.length === 2 ? true : undefined), 5000);
    expect(seen).toEqual([2, 3]);
    expect(s.resets).toEqual([9n]);
  });

  it('sends back the leader epoch of the last record fetched, and none after a seek', async () => {
    const s = setup(() => {});
    s.fetcher.chunk = 3;
    s.fetcher.logs.set(0, await log(6));
    for (const o of [3n, 4n, 5n]) s.fetcher.epochs.set(o, 2);
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('read to the end', async () => (s.loop.position(T0) === 6n && s.committer.pending()[0]?.offset === 6n ? true : undefined), 5000);
    const asked = s.fetcher.requests.flat().map((r) => `${r.offset}:${r.lastEpoch}`);
    expect(asked.slice(0, 3)).toEqual(['0:undefined', '3:0', '6:2']);
    s.loop.seek(T0, 1n);
    await waitFor('fetched after the seek', async () => (s.fetcher.requests.flat().some((r) => r.offset === 1n) ? true : undefined), 5000);
    expect(s.fetcher.requests.flat().find((r) => r.offset === 1n)!.lastEpoch).toBeUndefined();
  });

  it('reads on from where the new leader\'s log differs after an unclean election, reports the loss (not a stall) and commits back there', async () => {
    const seen: string[] = [];
    const s = setup((e) => void seen.push(`${payloadOf(e).p}:${payloadOf(e).i}`));
    s.fetcher.logs.set(0, await log(10));
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('all handled', async () => (seen.length === 10 ? true : undefined), 5000);
    await s.committer.commit(async () => {});
    expect(s.committer.tracker('t', 0)!.lastCommitted).toBe(10n);
    // The new leader had offsets 0-6 of epoch 0 only; it wrote two records of its own (epoch 1) at 7 and 8.
    const theirs = (await log(2, 9)).map((r, i) => ({ ...r, offset: 7n + BigInt(i) }));
    s.fetcher.logs.set(0, [...(await log(7)), ...theirs]);
    for (const r of theirs) s.fetcher.epochs.set(r.offset, 1);
    s.fetcher.truncation = { lostEpoch: 0, to: 7n };
    s.loop.wake();
    await waitFor('the new leader\'s records handled', async () => (seen.length === 12 ? true : undefined), 5000);
    expect(seen.slice(10)).toEqual(['9:0', '9:1']);
    expect(s.truncations).toEqual(['0 10->7 LOG_TRUNCATED']);
    expect(s.stalls).toEqual([]);
    // Commits only move forward, except here: the commit at 10 points past the new leader's records.
    await waitFor('settled', async () => (s.committer.pending()[0]?.offset === 9n ? true : undefined), 5000);
  });

  it('commits each offset with the leader epoch of the last batch fetched with it, as Java commits its position', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).i));
    s.fetcher.chunk = 5;
    s.fetcher.logs.set(0, await log(10));
    for (let o = 5n; o < 10n; o++) s.fetcher.epochs.set(o, 3);
    s.loop.assign([{ ...T0, next: 0n }]);
    await waitFor('all handled', async () => (seen.length === 10 ? true : undefined), 5000);
    await waitFor('settled', async () => (s.committer.pending()[0]?.offset === 10n ? true : undefined), 5000);
    expect(s.committer.pending()).toEqual([{ ...T0, offset: 10n, leaderEpoch: 3 }]);
  });

  it('checks a position taken from a commit with the epoch committed with it: a truncation since is found before any read', async () => {
    const seen: string[] = [];
    const s = setup((e) => void seen.push(`${payloadOf(e).p}:${payloadOf(e).i}`));
    // The group committed 10 under epoch 0; the new leader's log holds 0-6 of epoch 0, then its own two records.
    const theirs = (await log(2, 9)).map((r, i) => ({ ...r, offset: 7n + BigInt(i) }));
    s.fetcher.logs.set(0, [...(await log(7)), ...theirs]);
    for (const r of theirs) s.fetcher.epochs.set(r.offset, 1);
    s.fetcher.truncation = { lostEpoch: 0, to: 7n };
    s.loop.assign([{ ...T0, next: 10n, lastEpoch: 0 }]);
    await waitFor('the new leader\'s records handled', async () => (seen.length === 2 ? true : undefined), 5000);
    expect(s.fetcher.requests[0]).toEqual([{ ...T0, offset: 10n, lastEpoch: 0 }]);
    expect(seen).toEqual(['9:0', '9:1']);
    expect(s.truncations).toEqual(['0 10->7 LOG_TRUNCATED']);
  });

  it('lets partitions take turns when they outnumber the concurrency', async () => {
    const order: number[] = [];
    const s = setup((e) => void order.push(payloadOf(e).p), { concurrency: 1 });
    s.fetcher.chunk = 5;
    s.fetcher.logs.set(0, await log(20, 0));
    s.fetcher.logs.set(1, await log(20, 1));
    s.loop.assign([{ ...T0, next: 0n }, { ...T1, next: 0n }]);
    await waitFor('all handled', async () => (order.length === 40 ? true : undefined), 5000);
    // Neither partition is handled to its end before the other starts.
    expect(order.slice(0, 20)).toContain(0);
    expect(order.slice(0, 20)).toContain(1);
  });

  it('keeps fetching from a partition whose leader answers while another leader is still waiting', async () => {
    const seen: number[] = [];
    const s = setup((e) => void seen.push(payloadOf(e).p));
    s.fetcher.chunk = 5;
    s.fetcher.logs.set(0, await log(30, 0));
    s.fetcher.delays.set(1, 10_000);
    s.loop.assign([{ ...T0, next: 0n }, { ...T1, next: 0n }]);
    await waitFor('partition 0 read to its end', async () => (seen.length === 30 ? true : undefined), 5000);
    expect(s.fetcher.requests.filter((r) => r.some((q) => q.partition === 1))).toHaveLength(1);
  });

  it('waits at the broker only when nothing is to be handled, with every partition in one fetch', async () => {
    const seen: number[] = [];
    const s = setup(async (e) => {
      seen.push(payloadOf(e).i);
      await new Promise((r) => setTimeout(r, 5));
    });
    s.fetcher.chunk = 5;
    s.fetcher.logs.set(1, await log(30, 1));
    s.loop.assign([{ ...T0, next: 0n }, { ...T1, next: 0n }]);
    await waitFor('partition 1 handled', async () => (seen.length === 30 ? true : undefined), 5000);
    await waitFor('a waiting fetch after the work', async () => (s.fetcher.waits.slice(1).includes(300) ? true : undefined), 5000);
    const rounds = s.fetcher.requests.map((r, i) => ({ partitions: r.map((q) => q.partition), wait: s.fetcher.waits[i] }));
    // While partition 1's records were handled, partition 0 (at its end) was only polled, never waited for.
    const during = rounds.slice(1, rounds.findIndex((r, i) => i > 0 && r.wait === 300));
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.wait === 0)).toBe(true);
    expect(rounds.find((r, i) => i > 0 && r.wait === 300)!.partitions.sort()).toEqual([0, 1]);
  });
});
