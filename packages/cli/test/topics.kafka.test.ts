import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('tributary configuration', () => {
  it('takes the brokers from a YAML or JSON --config file, and flags win over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    try {
      const yaml = join(dir, 'tributary.yaml');
      writeFileSync(yaml, `brokers:\n${env.KAFKA_BROKERS.split(',').map((b) => `  - ${b}\n`).join('')}clientId: cli-test\nconnectionTimeoutMs: 2000\n`);
      const json = join(dir, 'tributary.json');
      writeFileSync(json, JSON.stringify({ brokers: env.KAFKA_BROKERS.split(',') }));
      const topic = `cli-config-${randomBytes(4).toString('hex')}`;
      expect((await runCli(['--config', yaml, 'topics', 'create', topic, '-p', '1'])).status).toBe(0);
      const listed = await runCli(['--config', json, 'topics', 'list']);
      expect(jsonLines(listed.stdout)).toContainEqual({ topic, partitions: 1 });

      // A flag wins over the file: an unreachable broker fails even though the file names a good one.
      const flagged = await runCli(['--config', yaml, '--brokers', '127.0.0.1:1', '--timeout', '300', '--retries', '0', 'topics', 'list']);
      expect(flagged.status).toBe(1);
      expect(flagged.stderr).toMatch(/^tributary: CONNECTION: /);

      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, 'brokers: [unclosed\n');
      const bad = await runCli(['--config', broken, 'topics', 'list']);
      expect(bad).toMatchObject({ status: 2, stdout: '' });
      expect(bad.stderr).toMatch(/^tributary: INVALID_ARGUMENT: The config file ".*broken\.yaml" is not valid YAML or JSON: /);
      const sasl = join(dir, 'sasl.yaml');
      writeFileSync(sasl, 'brokers: [127.0.0.1:9092]\nsasl: { mechanism: md5, username: u, password: p }\n');
      const badSasl = await runCli(['--config', sasl, 'topics', 'list']);
      expect(badSasl.status).toBe(2);
      expect(badSasl.stderr).toMatch(/sasl\.mechanism must be 'plain', 'scram-sha-256', 'scram-sha-512', got "md5"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
