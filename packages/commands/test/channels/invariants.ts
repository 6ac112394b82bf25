import { expect } from 'vitest';
import type { ChannelLayer } from '../../src/channels/channel-layer.js';
import { ChannelFullError, ChannelNotFoundError } from '../../src/errors.js';
import { until } from './support.js';

/** A seeded generator (the C library's LCG: plenty for picking test moves), so a failing sample can be run again. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

type Outcome = 'ok' | 'full' | 'not-found';

/**
 * Invariant: every send ends in exactly one outcome (taken, ChannelFullError, ChannelNotFoundError), and what the
 * receivers get is exactly the sends that were taken, each once, in each sender's order. `layers` are live;
 * `doomed` is closed after making a channel, so sends to it find its owner gone. Sends go in bursts from random layers
 * to random channels.
 */
export async function everySendEndsOnce(layers: readonly ChannelLayer[], doomed: ChannelLayer, sends: number, seed: number): Promise<void> {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const owned: Array<{ layer: ChannelLayer; channel: string }> = [];
  for (const layer of layers) for (let i = 0; i < 2; i++) owned.push({ layer, channel: await layer.newChannel() });
  const gone = await doomed.newChannel();
  await doomed.close();
  const closed = owned.pop()!;
  closed.layer.closeChannel(closed.channel);
  const targets = [...owned.map((o) => o.channel), closed.channel, gone];
  const settled = new Map<number, Outcome>();
  const taken = new Map<string, Array<{ id: number; from: number }>>();
  const burst: Array<Promise<void>> = [];
  for (let id = 0; id < sends; id++) {
    const from = layers.indexOf(pick(layers));
    const channel = pick(targets);
    burst.push(
      layers[from]!.send(channel, { id, from }).then(
        () => {
          expect(settled.has(id), `send ${id} settled twice`).toBe(false);
          settled.set(id, 'ok');
          taken.set(channel, [...(taken.get(channel) ?? []), { id, from }]);
        },
        (error: unknown) => {
          expect(settled.has(id), `send ${id} settled twice`).toBe(false);
          if (error instanceof ChannelFullError) settled.set(id, 'full');
          else if (error instanceof ChannelNotFoundError) settled.set(id, 'not-found');
          else throw error;
          if (channel === gone || channel === closed.channel) expect(error).toBeInstanceOf(ChannelNotFoundError);
        },
      ),
    );
    // Every so often the receivers take a few, so channels fill and empty.
    if (id % 25 === 24) {
      await Promise.all(burst.splice(0));
      for (const o of owned) for (let k = Math.floor(random() * 4); k > 0 && o.layer.stats().buffered > 0; k--) await drainOne(o, taken);
    }
  }
  await Promise.all(burst);
  expect(settled.size, `seed ${seed}: outcomes`).toBe(sends);
  for (const o of owned) while (await drainOne(o, taken));
  for (const o of owned) expect(taken.get(o.channel) ?? [], `seed ${seed}: channel ${o.channel} got every send taken for it, once`).toEqual([]);
  const counts: Record<Outcome, number> = { ok: 0, full: 0, 'not-found': 0 };
  for (const outcome of settled.values()) counts[outcome]++;
  // The sample reaches every outcome, or it proves little.
  for (const outcome of ['ok', 'full', 'not-found'] as const) expect(counts[outcome], `seed ${seed}: sends ending ${outcome}`).toBeGreaterThan(0);
}

/** Receive one message of `o.channel` if one is kept, and check it is the next taken for it from its sender. */
async function drainOne(o: { layer: ChannelLayer; channel: string }, taken: Map<string, Array<{ id: number; from: number }>>): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 50);
  const message = await o.layer.receive<{ id: number; from: number }>(o.channel, { signal: abort.signal }).catch(() => undefined);
  clearTimeout(timer);
  if (!message) return false;
  const expected = taken.get(o.channel) ?? [];
  // In each sender's order: the first send from this sender taken and not yet received is this one.
  const index = expected.findIndex((t) => t.from === message.from);
  expect(expected[index]?.id, `message ${message.id} from layer ${message.from} on ${o.channel}: taken, once, in order`).toBe(message.id);
  expected.splice(index, 1);
  return true;
}

/**
 * Invariant: after random adds and discards, a group send reaches each live member once and no one else; its result
 * accounts for every member exactly once. Before each send, the sender's view is awaited until it shows the members.
 */
export async function groupSendReachesEachMemberOnce(layers: readonly ChannelLayer[], rounds: number, seed: number): Promise<void> {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const channels: Array<{ layer: ChannelLayer; channel: string }> = [];
  for (const layer of layers) for (let i = 0; i < 3; i++) channels.push({ layer, channel: await layer.newChannel() });
  const groups = ['g0', 'g1', 'g2'];
  const model = new Map(groups.map((g) => [g, new Set<string>()]));
  let checked = 0;
  for (let round = 0; round < rounds; round++) {
    for (let op = 0; op < 6; op++) {
      const group = pick(groups);
      const { channel } = pick(channels);
      if (random() < 0.65) {
        await pick(layers).groupAdd(group, channel);
        model.get(group)!.add(channel);
      } else {
        await pick(layers).groupDiscard(group, channel);
        model.get(group)!.delete(channel);
      }
    }
    const group = pick(groups);
    const sender = pick(layers);
    const members = JSON.stringify([...model.get(group)!].sort());
    await until(async () => JSON.stringify((await sender.groupMembers(group)).sort()) === members);
    const result = await sender.groupSend(group, { round, group });
    expect(result.failed, `seed ${seed} round ${round}`).toEqual([]);
    expect(result.members).toBe(model.get(group)!.size);
    expect([...result.delivered].sort()).toEqual([...model.get(group)!].sort());
    for (const { layer, channel } of channels) {
      const expected = model.get(group)!.has(channel) ? [{ round, group }] : [];
      const got = [];
      for (;;) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), expected.length > got.length ? 5000 : 30);
        const m = await layer.receive(channel, { signal: abort.signal }).catch(() => undefined);
        clearTimeout(timer);
        if (!m) break;
        got.push(m);
      }
      expect(got, `seed ${seed} round ${round}: ${channel}`).toEqual(expected);
      checked++;
    }
  }
  expect(checked).toBe(rounds * channels.length);
}
