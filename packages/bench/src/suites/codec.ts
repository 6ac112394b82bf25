import { createCodecLookup, decodeEvent, encodeEvent, jsonCodec, type Codec } from '@tributary/core';
import type { BenchContext, Suite } from '../context.js';
import { avroCodec, makeEvents } from '../events.js';
import { median } from '../measure.js';

/** Passes of each codec, alternating. */
const ROUNDS = 5;

async function codecCpu(ctx: BenchContext): Promise<void> {
  const count = Math.round(100_000 * ctx.scale);
  const events = makeEvents(count, 100);
  const avro = avroCodec();
  const codecs = createCodecLookup([avro]);
  const topic = 'bench-codec';
  // The first Avro encode registers the schema (asynchronous); from then on both codecs are synchronous.
  await encodeEvent(events[0]!, avro, topic);
  const run = (codec: Codec) => {
    // Warm-up lets V8 optimise both paths before the clock starts.
    for (let i = 0; i < 2000; i++) decodeEvent(encodeEvent(events[i % count]!, codec, topic) as never, codecs, topic);
    const started = process.hrtime.bigint();
    for (const e of events) decodeEvent(encodeEvent(e, codec, topic) as never, codecs, topic);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  const payloadOnly = (codec: Codec) => {
    const ctx2 = { topic, category: 'bench.event' };
    const started = process.hrtime.bigint();
    for (const e of events) codec.decode(codec.encode(e.payload, ctx2) as Buffer, ctx2);
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  };
  // Interleaved rounds: a single pass of each, JSON first, has moved the ratio between 1.5 and 2.3 from run to run
  // with the heap's state and the host's load, which touch alternating passes alike.
  const rounds = { json: [] as number[], avro: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    rounds.json.push(run(jsonCodec));
    rounds.avro.push(run(avro));
  }
  const byRound = rounds.avro.map((a, i) => (a / rounds.json[i]!).toFixed(2)).join(', ');
  ctx.figures.push({
    suite: 'codec', name: 'envelope encode+decode, Avro', value: median(rounds.avro), unit: 'events/s', anchors: [{ name: 'the same with JSON', value: median(rounds.json) }], target: { ratio: 2, anchor: 'the same with JSON' },
    notes: `encodeEvent + decodeEvent of a 100 B payload, one core, no IO; median of ${ROUNDS} interleaved rounds (ratio by round: ${byRound})`,
  });
  ctx.figures.push({ suite: 'codec', name: 'payload encode+decode, Avro', value: payloadOnly(avro), unit: 'payloads/s', anchors: [{ name: 'the same with JSON', value: payloadOnly(jsonCodec) }], notes: 'the codec alone, without headers and Event construction' });
}


/** Avro against JSON: the whole envelope (headers, Event) and the payload codec alone, on one core. */
export const codec: Suite = {
  name: 'codec',
  title: 'Codecs: Avro against JSON (CPU only)',
  run: codecCpu,
};
