import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli, startCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

async function newTopic(partitions = 3): Promise<string> {
  const topic = `cli-events-${randomBytes(4).toString('hex')}`;
  const r = await runCli(['topics', 'create', topic, '-p', String(partitions)], { env });
  expect(r.status).toBe(0);
  return topic;
}

describe('tributary produce and consume', () => {
  it('publishes JSON lines and an argument event, and a group reads every one back once, in order per key', async () => {
    const topic = await newTopic();
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ category: i % 3 === 0 ? 'user.created' : 'order.placed', key: `k-${i % 5}`, payload: { i }, ...(i === 7 ? { type: 'v2', headers: { trace: 't-7' } } : {}) }));
    const produced = await runCli(['produce', topic], { env, input: `${lines.join('\n')}\n` });
    expect(produced.stderr).toBe('');
    expect(produced.status).toBe(0);
    const offsets = jsonLines(produced.stdout);
    expect(offsets).toHaveLength(60);
    expect(new Set(offsets.map((o) => o.offset)).size).toBe(60);
    for (const o of offsets) expect(o.offset).toMatch(new RegExp(`^${topic}:[0-2]@\\d+$`));

    const one = await runCli(['produce', topic, '-c', 'order.placed', '-k', 'k-0', '-H', 'source=cli', '{"i": 60}'], { env });
    expect(one.status).toBe(0);
    expect(jsonLines(one.stdout)[0]!.offset).toMatch(new RegExp(`^${topic}:\\d@\\d+$`));

    const group = `cli-group-${randomBytes(4).toString('hex')}`;
    const consumed = await runCli(['consume', topic, '-g', group], { env });
    expect(consumed.stderr).toBe('');
    expect(consumed.status).toBe(0);
    const events = jsonLines(consumed.stdout);
    const ids = events.map((e) => (e.payload as { i: number }).i).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 61 }, (_, i) => i)); // no gap, no duplicate
    const byKey = new Map<string, number[]>();
    for (const e of events) byKey.set(e.key as string, [...(byKey.get(e.key as string) ?? []), (e.payload as { i: number }).i]);
    for (const seq of byKey.values()) expect(seq).toEqual([...seq].sort((a, b) => a - b));
    expect(events.find((e) => (e.payload as { i: number }).i === 7)).toMatchObject({ type: 'v2', headers: { trace: 't-7' } });
    expect(events.find((e) => (e.payload as { i: number }).i === 60)).toMatchObject({ headers: { source: 'cli' } });

    // The group committed: run again, nothing is left.
    const again = await runCli(['consume', topic, '-g', group], { env });
    expect(again).toMatchObject({ status: 0, stdout: '' });

    // A category pattern, and a stop after --max.
    const users = jsonLines((await runCli(['consume', topic, '-c', 'user.*'], { env })).stdout);
    expect(users.map((e) => (e.payload as { i: number }).i).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i * 3));
    const first = await runCli(['consume', topic, '--max', '5'], { env });
    expect(jsonLines(first.stdout)).toHaveLength(5);
  }, 180_000);

  it('a malformed line sends nothing and exits 2, naming the line', async () => {
    const topic = await newTopic(1);
    const input = ['{"category":"a.b","payload":1}', '{"category":"a.b","payload":2}', '{"category":"a.b", payload: 3}', '{"category":"a.b","payload":4}'].join('\n');
    const r = await runCli(['produce', topic], { env, input });
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^tributary: INVALID_ARGUMENT: line 3: not JSON \(.*\); nothing was sent\n$/);
    const noCategory = await runCli(['produce', topic], { env, input: '{"payload":1}\n' });
    expect(noCategory).toMatchObject({ status: 2, stderr: 'tributary: INVALID_ARGUMENT: line 1: no category (give "category" or --category)\n' });
    const badPayload = await runCli(['produce', topic, '-c', 'a.b', 'not-json'], { env });
    expect(badPayload.status).toBe(2);

    const described = jsonLines((await runCli(['topics', 'describe', topic], { env })).stdout);
    expect(described[0]).toMatchObject({ high: '0' }); // nothing half-written
  }, 120_000);

  it('consume --follow prints events produced while it runs, and SIGINT stops it with exit 0', async () => {
    const topic = await newTopic(2);
    const follower = startCli(['consume', topic, '--follow', '--from', 'latest'], { env, timeoutMs: 120_000 });
    try {
      // The group must have joined before the events are produced: produce until the follower has printed some.
      let round = 0;
      while (jsonLines(follower.output().stdout).length === 0 && round < 40) {
        await runCli(['produce', topic, '-c', 'tick.sent', String(round++)], { env });
        await new Promise((r) => setTimeout(r, 500));
      }
      const seen = jsonLines(follower.output().stdout).map((e) => e.payload as number);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen).size).toBe(seen.length);
    } finally {
      follower.child.kill('SIGINT');
    }
    const done = await follower.done;
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
  }, 180_000);

  it('consume refuses a topic that does not exist and a --from it cannot read, exit 2', async () => {
    const missing = await runCli(['consume', `cli-none-${randomBytes(4).toString('hex')}`], { env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^tributary: INVALID_ARGUMENT: No such topic: cli-none-/);
    const from = await runCli(['consume', 'x', '--from', 'yesterday'], { env });
    expect(from).toMatchObject({ status: 2, stdout: '' });
    expect(from.stderr).toMatch(/--from must be earliest, latest/);
  }, 60_000);
});
