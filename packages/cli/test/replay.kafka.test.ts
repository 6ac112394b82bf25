import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

describe('tributary replay', () => {
  it('replays a range from a position to a position, by category, quietly when piped', async () => {
    const topic = `cli-replay-${randomBytes(4).toString('hex')}`;
    expect((await runCli(['topics', 'create', topic, '-p', '1'], { env })).status).toBe(0);
    const input = Array.from({ length: 40 }, (_, i) => JSON.stringify({ category: i % 2 ? 'order.placed' : 'order.shipped', payload: { i } })).join('\n');
    expect((await runCli(['produce', topic], { env, input })).status).toBe(0);

    const all = await runCli(['replay', topic], { env });
    expect(all.stderr).toBe(''); // no progress bar when nothing is a terminal
    expect(all.status).toBe(0);
    expect(jsonLines(all.stdout).map((e) => (e.payload as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));

    const range = await runCli(['replay', topic, '--from', `${topic}:0@10`, '--to', `${topic}:0@20`, '-c', 'order.placed'], { env });
    expect(range.status).toBe(0);
    const events = jsonLines(range.stdout);
    expect(events.map((e) => (e.payload as { i: number }).i)).toEqual([11, 13, 15, 17, 19]);
    expect(events.map((e) => e.offset)).toEqual([11, 13, 15, 17, 19].map((o) => `${topic}:0@${o}`));

    const future = await runCli(['replay', topic, '--from', '2999-01-01T00:00:00Z', '--no-events'], { env });
    expect(jsonLines(future.stdout)).toEqual([{ topic, events: 0, records: 0 }]);
    const counted = await runCli(['replay', topic, '--from', `${topic}:0@30`, '--no-events'], { env });
    expect(jsonLines(counted.stdout)).toEqual([{ topic, events: 10, records: 10 }]);
  }, 120_000);

  it('refuses a bound it cannot read and a position outside the log, naming them', async () => {
    const topic = `cli-replay-${randomBytes(4).toString('hex')}`;
    expect((await runCli(['topics', 'create', topic, '-p', '1'], { env })).status).toBe(0);
    const bound = await runCli(['replay', topic, '--to', 'tomorrow'], { env });
    expect(bound).toMatchObject({ status: 2, stdout: '' });
    expect(bound.stderr).toMatch(/^tributary: INVALID_ARGUMENT: --to must be end, a position/);
    const outside = await runCli(['replay', topic, '--from', `${topic}:0@99`], { env });
    expect(outside).toMatchObject({ status: 1, stdout: '' });
    expect(outside.stderr).toMatch(/^tributary: OFFSET_OUT_OF_RANGE: .*\n$/);
  }, 60_000);
});
