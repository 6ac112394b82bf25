import { describe, expect, it } from 'vitest';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { createCodecLookup, encodeEvent, Event, jsonCodec } from '@tributary/core';
import { Committer } from '../../src/commit/committer.js';
import { MemoryDeadLetterPublisher } from '../../src/failure/memory-dead-letter-publisher.js';
import { retryPolicy } from '../../src/failure/retry-policy.js';
import { BatchLoop, toRecord } from '../../src/group/batch-loop.js';
import { PauseControl } from '../../src/group/pause-control.js';
import { silentLogger } from '../../src/logging/logger.js';
import { RecordProcessor } from '../../src/processing/record-processor.js';
import { Router, type EventHandler } from '../../src/routing/router.js';

async function messages(count: number, first = 0): Promise<KafkaMessage[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const r = await encodeEvent(Event.create({ category: 'a.b', key: `k${i}`, payload: { i: first + i } }), jsonCodec, 't');
    return { key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offset: String(first + i), attributes: 0 } as unknown as KafkaMessage;
  }));
}

function setup(handle: EventHandler, options: { floor?: bigint; heartbeatIntervalMs?: number; seeks?: () => number } = {}) {
  const publisher = new MemoryDeadLetterPublisher();
  const committer = new Committer();
  committer.assign([{ topic: 't', partition: 0 }]);
  const paused: string[] = [];
  const pauses = new PauseControl({ pause: () => void paused.push('pause'), resume: () => void paused.push('resume') }, { initialDelayMs: 60_000, maxDelayMs: 60_000 });
  const stop = new AbortController();
  const sought: bigint[] = [];
  const loop = new BatchLoop({
    processor: new RecordProcessor({ router: new Router({ '#': handle }), codecs: createCodecLookup(), retry: retryPolicy({ attempts: 1 }), group: 'g', deadLetterTopic: (t) => `${t}.DLT`, publisher }),
    committer, pauses, logger: silentLogger, signal: stop.signal,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
    floor: () => options.floor,
    seekToFloor: (_t, _p, next) => void sought.push(next),
    seeks: options.seeks ?? (() => 0),
    shouldYield: () => stop.signal.aborted,
    onHeartbeatError: () => {},
    useCommit: () => {},
  });
  return { loop, committer, pauses, publisher, paused, stop, sought };
}

function payload(msgs: KafkaMessage[], state: { resolved: string[]; beats: number }, isStale = () => false): EachBatchPayload {
  return {
    batch: { topic: 't', partition: 0, messages: msgs },
    resolveOffset: (o: string) => void state.resolved.push(o),
    heartbeat: async () => void state.beats++,
    isRunning: () => true,
    isStale,
    commitOffsetsIfNecessary: async () => {},
  } as unknown as EachBatchPayload;
}

describe('BatchLoop', () => {
  it('handles a batch in offset order and resolves past the last settled record', async () => {
    const seen: number[] = [];
    const { loop, committer } = setup((e) => void seen.push((e.payload as { i: number }).i));
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(5), state));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(state.resolved).toEqual(['4']);
    expect(committer.pending()).toEqual([{ topic: 't', partition: 0, offset: 5n }]);
    expect(loop.active).toBe(0);
  });

  it('drops a batch fetched from below the floor and seeks, handling nothing', async () => {
    const seen: number[] = [];
    const { loop, sought, committer } = setup((e) => void seen.push((e.payload as { i: number }).i), { floor: 3n });
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(5), state));
    expect(seen).toEqual([]);
    expect(sought).toEqual([3n]);
    expect(state.resolved).toEqual([]);
    expect(committer.pending()).toEqual([]);
  });

  it('stops at a record it cannot settle: pauses the partition, resolves and commits only before it', async () => {
    const seen: number[] = [];
    const { loop, publisher, paused, committer, pauses } = setup((e) => { const i = (e.payload as { i: number }).i; if (i === 2) throw new Error('bad'); seen.push(i); });
    publisher.failing = true;
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(5), state));
    expect(seen).toEqual([0, 1]);
    expect(paused).toEqual(['pause']);
    expect(pauses.isPaused({ topic: 't', partition: 0 })).toBe(true);
    expect(state.resolved).toEqual(['1']);
    expect(committer.pending()).toEqual([{ topic: 't', partition: 0, offset: 2n }]);
    pauses.close();
  });

  it('heartbeats while a long handler runs', async () => {
    const { loop } = setup(() => new Promise((r) => setTimeout(r, 260)), { heartbeatIntervalMs: 50 });
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(1), state));
    expect(state.beats).toBeGreaterThanOrEqual(4);
  });

  it('takes no further record once stopping, and tells when it is idle', async () => {
    let release!: () => void;
    const seen: number[] = [];
    const { loop, stop } = setup(async (e) => { seen.push((e.payload as { i: number }).i); if (seen.length === 1) await new Promise<void>((r) => (release = r)); });
    const state = { resolved: [] as string[], beats: 0 };
    const running = loop.eachBatch(payload(await messages(3), state));
    await new Promise((r) => setTimeout(r, 10));
    expect(loop.active).toBe(1);
    stop.abort();
    const idle = loop.whenIdle();
    release();
    await Promise.all([running, idle]);
    expect(seen).toEqual([0]);
    expect(state.resolved).toEqual(['0']);
  });

  it('turns kafkajs messages into records, keeping the last of repeated headers', () => {
    const r = toRecord({ key: null, value: null, timestamp: '5', offset: '0', attributes: 0, size: 0, headers: { a: [Buffer.from('1'), Buffer.from('2')], b: 'text' } } as unknown as KafkaMessage);
    expect(r.value.length).toBe(0);
    expect(r.headers.a!.toString()).toBe('2');
    expect(r.headers.b!.toString()).toBe('text');
  });

  it('stops at a pause made by a synchronous handler, before the next record', async () => {
    const seen: number[] = [];
    const { loop, pauses, committer } = setup((e) => {
      const i = (e.payload as { i: number }).i;
      seen.push(i);
      if (i === 1) pauses.pauseByUser([{ topic: 't', partition: 0 }], []);
    });
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(5), state));
    expect(seen).toEqual([0, 1]);
    expect(state.resolved).toEqual(['1']);
    expect(committer.pending()).toEqual([{ topic: 't', partition: 0, offset: 2n }]);
    pauses.close();
  });

  it('stops once a seek made the batch stale, and only asks kafkajs after a seek', async () => {
    let seeks = 0;
    let staleChecks = 0;
    const seen: number[] = [];
    const { loop } = setup((e) => {
      seen.push((e.payload as { i: number }).i);
      if (seen.length === 2) seeks++;
    }, { seeks: () => seeks });
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(5), state, () => (staleChecks++, true)));
    expect(seen).toEqual([0, 1]);
    expect(staleChecks).toBe(1);
    expect(state.resolved).toEqual(['1']);
  });

  it('gives the event loop a turn during a long run of synchronous handlers', async () => {
    let timerFiredAt: number | undefined;
    const seen: number[] = [];
    const { loop } = setup((e) => {
      seen.push((e.payload as { i: number }).i);
      const until = performance.now() + 1;
      while (performance.now() < until); // 1 ms of synchronous work per record
    });
    setTimeout(() => (timerFiredAt = seen.length), 0);
    const state = { resolved: [] as string[], beats: 0 };
    await loop.eachBatch(payload(await messages(600), state));
    expect(seen).toHaveLength(600);
    expect(timerFiredAt).toBeDefined();
    expect(timerFiredAt!).toBeLessThan(600);
    expect(state.resolved).toEqual(['599']);
  });

  it('hands a record on with the kafkajs headers object itself when every value is one Buffer', () => {
    const headers = { a: Buffer.from('1') };
    const r = toRecord({ key: null, value: Buffer.from('v'), timestamp: '5', offset: '0', attributes: 0, size: 0, headers } as unknown as KafkaMessage);
    expect(r.headers).toBe(headers);
  });
});
