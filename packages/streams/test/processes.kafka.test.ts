import { fork } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, KafkaClient, KafkaLogTransport, silentLogger } from '@tributary/kafka';
import { randomTopic } from '@tributary/test-kit';
import { createStreams, ensureStreamTopics, type StreamDelivery } from '@tributary/streams';
import { collector, until } from './support/stream-behaviour.js';

const brokers = inject('kafkaBrokers');
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

function start(name: string, env: Record<string, string>) {
  const child = fork(fixture(name), [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, BROKERS: brokers.join(','), ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const messages: Array<Record<string, unknown>> = [];
  child.on('message', (m: Record<string, unknown>) => messages.push(m));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, messages, exited };
}

async function freshPrefix(): Promise<string> {
  const prefix = randomTopic('streams');
  await ensureStreamTopics({ brokers }, { prefix, partitions: 4 });
  return prefix;
}

/** The sequence numbers of the puts, and the header's `afterSeq`. */
function sequence(deliveries: StreamDelivery[]): { afterSeq: number; seqs: number[] } {
  const header = deliveries.find((d) => d.action === 'header');
  return { afterSeq: (header?.message as { afterSeq?: number } | undefined)?.afterSeq ?? -1, seqs: deliveries.filter((d) => d.action === 'put').map((d) => (d.message as { seq: number }).seq) };
}

describe('streams across processes', () => {
  it('a listener joining while another process puts 20,000 messages/s gets the header, then every later message: no gap, no duplicate', async () => {
    const prefix = await freshPrefix();
    const count = 60_000;
    const putter = start('putter', { PREFIX: prefix, STREAM: 'job-42', COUNT: String(count), RATE: '20000', HEADER_EVERY: '5000' });
    await until(() => putter.messages.some((m) => m.started), 60_000);
    await using hub = createStreams({ transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })), prefix, logger: silentLogger });
    const headerReported = (seq: number) => putter.messages.some((m) => typeof m.header === 'number' && m.header >= seq);
    // Joins are tied to the putter's progress, not to the clock: the first after its second header, the other
    // after its fourth, both while it is still putting.
    await until(() => headerReported(4999), 90_000);
    const late = collector();
    await hub.listen('job-42', late);
    await until(() => headerReported(14999), 90_000);
    const later = collector();
    await hub.listen('job-42', later);
    await until(() => late.got.at(-1)?.action === 'close' && later.got.at(-1)?.action === 'close', 90_000);
    expect(await putter.exited).toBe(0);
    for (const l of [late, later]) {
      const { afterSeq, seqs } = sequence(l.got);
      expect(l.got[0]!.action).toBe('header');
      expect(afterSeq).toBeGreaterThanOrEqual(-1);
      // Exactly afterSeq+1 .. count-1, in order: any gap, duplicate or reordering fails here.
      expect(seqs.length).toBe(count - 1 - afterSeq);
      expect(seqs.every((s, i) => s === afterSeq + 1 + i)).toBe(true);
    }
    // The second listener joined mid-stream, after headers had moved on (the view of the index may lag a header
    // or two behind the putter's acknowledgement): it started from a later header, with puts still to come.
    expect(sequence(later.got).afterSeq).toBeGreaterThanOrEqual(4999);
    expect(sequence(later.got).seqs.length).toBeGreaterThan(0);
  }, 180_000);

  it('resumes from a stored position after the listening process died: recovered, nothing missed, nothing twice', async () => {
    const prefix = await freshPrefix();
    await using hub = createStreams({ transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })), prefix, logger: silentLogger });
    await hub.setHeader('resumable', { afterSeq: -1 });
    for (let seq = 0; seq < 300; seq++) void hub.put('resumable', { seq });
    await hub.put('resumable', { seq: 300 });
    const dir = await mkdtemp(join(tmpdir(), 'streams-'));
    const first = start('listener', { PREFIX: prefix, STREAM: 'resumable', OUT: join(dir, 'first.jsonl'), STOP_AFTER: '120' });
    expect(await first.exited).toBe(0);
    const before = (await readFile(join(dir, 'first.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as StreamDelivery);
    const stored = before.at(-1)!.position!;
    for (let seq = 301; seq < 400; seq++) void hub.put('resumable', { seq });
    await hub.close('resumable');
    const second = start('listener', { PREFIX: prefix, STREAM: 'resumable', OUT: join(dir, 'second.jsonl'), FROM: JSON.stringify(stored) });
    await until(() => second.messages.length > 0, 60_000);
    expect(second.messages[0]).toEqual({ listening: true, recovered: true });
    expect(await second.exited).toBe(0);
    const after = (await readFile(join(dir, 'second.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as StreamDelivery);
    const seqs = [...sequence(before).seqs, ...sequence(after).seqs];
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(after.at(-1)!.action).toBe('close');
  }, 120_000);
});

describe('streams whose history retention has cut', () => {
  it('a stored position before the oldest record kept resumes with recovered: false, from the header', async () => {
    const prefix = await freshPrefix();
    const client = new KafkaClient({ brokers, logger: silentLogger });
    await using hub = createStreams({ transport: new KafkaLogTransport(client), prefix, logger: silentLogger });
    await hub.setHeader('cut', { afterSeq: -1 });
    const first = collector();
    await hub.listen('cut', first);
    for (let seq = 0; seq < 50; seq++) void hub.put('cut', { seq });
    await hub.put('cut', { seq: 50 });
    await until(() => first.got.length === 52);
    const stored = first.got[10]!.position!;
    await hub.setHeader('cut', { afterSeq: 50 });
    for (let seq = 51; seq < 60; seq++) await hub.put('cut', { seq });
    // Retention takes everything up to the second header.
    await using admin = new KafkaAdmin(client);
    const partition = (await admin.ranges(`${prefix}.log`)).find((r) => r.high > 0n)!;
    await admin.deleteRecordsBefore(`${prefix}.log`, [{ partition: partition.partition, offset: BigInt(stored.offset) + 20n }]);
    const resumed = collector();
    const sub = await hub.listen('cut', resumed, { from: stored });
    expect(sub.recovered).toBe(false);
    await until(() => resumed.got.length === 10);
    expect(resumed.got[0]).toMatchObject({ action: 'header', message: { afterSeq: 50 } });
    expect(sequence(resumed.got).seqs).toEqual(Array.from({ length: 9 }, (_, i) => 51 + i));
    // A position still inside what is kept resumes as before.
    const kept = first.got[45]!.position!;
    expect((await hub.listen('cut', collector(), { from: kept })).recovered).toBe(true);
  }, 60_000);
});
