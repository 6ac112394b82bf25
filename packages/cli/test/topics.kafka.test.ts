import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

describe('tributary topics', () => {
  it('creates, lists and describes topics as JSON lines', async () => {
    const a = `cli-topics-${randomBytes(4).toString('hex')}`;
    const b = `${a}-b`;
    const created = await runCli(['topics', 'create', a, b, '--partitions', '2', '--config-entry', 'retention.ms=3600000'], { env });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(jsonLines(created.stdout)).toEqual([{ topic: a, status: 'created' }, { topic: b, status: 'created' }]);

    const again = await runCli(['topics', 'create', a], { env });
    expect(jsonLines(again.stdout)).toEqual([{ topic: a, status: 'existing' }]);

    const listed = await runCli(['topics', 'list'], { env });
    expect(listed.status).toBe(0);
    expect(jsonLines(listed.stdout)).toEqual(expect.arrayContaining([{ topic: a, partitions: 2 }, { topic: b, partitions: 2 }]));

    const described = await runCli(['topics', 'describe', a], { env });
    expect(described.status).toBe(0);
    const rows = jsonLines(described.stdout);
    expect(rows.map((r) => r.partition)).toEqual([0, 1]);
    expect(rows[0]).toMatchObject({ topic: a, low: '0', high: '0', config: { 'retention.ms': '3600000' } });
  });

  it('refuses to describe a topic that does not exist, and to shrink one, exit 2', async () => {
    const a = `cli-topics-${randomBytes(4).toString('hex')}`;
    const missing = await runCli(['topics', 'describe', a], { env });
    expect(missing).toMatchObject({ status: 2, stdout: '', stderr: `tributary: INVALID_ARGUMENT: Topic "${a}" does not exist\n` });

    await runCli(['topics', 'create', a, '-p', '1'], { env });
    const more = await runCli(['topics', 'create', a, '-p', '4'], { env });
    expect(more).toMatchObject({ status: 2, stdout: '', stderr: `tributary: INVALID_ARGUMENT: Topic "${a}" exists with 1 partitions, fewer than the 4 asked for\n` });
  });
});
