import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { jsonLines, runCli } from './run-cli.js';

const env = { KAFKA_BROKERS: inject('kafkaBrokers').join(',') };

describe('tributary send-message', () => {
  it('sends COUNT command messages of TYPE with BODY, each with its own id, and prints where each landed', async () => {
    const topic = `cli-commands-${randomBytes(4).toString('hex')}`;
    expect((await runCli(['topics', 'create', topic], { env })).status).toBe(0);
    const sent = await runCli(['send-message', '-t', 'chain', '-b', 'hello', '-c', '5', '--topic', topic], { env });
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    const lines = jsonLines(sent.stdout);
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.id)).size).toBe(5);

    const json = await runCli(['send-message', '-t', 'echo', '-b', '{"message": {"n": 1}}', '--topic', topic], { env });
    expect(json.status).toBe(0);

    const events = jsonLines((await runCli(['replay', topic], { env })).stdout);
    expect(events).toHaveLength(6);
    expect(events.filter((e) => e.type === 'chain').map((e) => e.payload)).toEqual(Array.from({ length: 5 }, () => ({ type: 'chain', body: { message: 'hello' } })));
    expect(events.find((e) => e.type === 'echo')!.payload).toEqual({ type: 'echo', body: { message: { n: 1 } } });
    expect(new Set(events.map((e) => e.offset))).toEqual(new Set([...lines, ...jsonLines(json.stdout)].map((l) => l.offset)));
  }, 120_000);

  it('refuses an unknown type and a missing topic, exit 2, sending nothing', async () => {
    const unknown = await runCli(['send-message', '-t', 'launch', '--topic', 'x'], { env });
    expect(unknown).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: INVALID_ARGUMENT: Unknown command message type "launch"; registered types: chain, echo, fail\n' });
    const missing = await runCli(['send-message', '-t', 'echo', '--topic', `cli-none-${randomBytes(4).toString('hex')}`], { env });
    expect(missing).toMatchObject({ status: 2, stdout: '' });
    expect(missing.stderr).toMatch(/does not exist/);
  }, 60_000);
});
