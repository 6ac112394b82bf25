import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { ConsumerGroup, silentLogger } from '@tributary/consumer';
import { jsonLines, runCli } from './run-cli.js';

const brokers = inject('kafkaBrokers');
const env = { KAFKA_BROKERS: brokers.join(',') };

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('tributary groups and dlt', () => {
  it('shows a group, its lag and dead letters; redrives one; resets the group only while it is empty', async () => {
    const suffix = randomBytes(4).toString('hex');
    const topic = `cli-dlt-${suffix}`;
    const dltTopic = `${topic}.DLT`;
    const groupId = `cli-billing-${suffix}`;
    expect((await runCli(['topics', 'create', topic, '-p', '1'], { env })).status).toBe(0);
    expect((await runCli(['topics', 'create', dltTopic, '-p', '1'], { env })).status).toBe(0);
    const input = Array.from({ length: 6 }, (_, i) => JSON.stringify({ category: 'order.placed', key: `o-${i}`, payload: { i } })).join('\n');
    const produced = jsonLines((await runCli(['produce', topic], { env, input })).stdout);
    expect(produced).toHaveLength(6);

    // A handler that fails on even orders: those three go to the dead-letter topic with their reason.
    const group = new ConsumerGroup({
      brokers,
      groupId,
      topics: [topic],
      logger: silentLogger,
      retry: { attempts: 2, initialDelayMs: 10 },
      commitIntervalMs: 100,
      handlers: {
        'order.#': (event) => {
          if ((event.payload as { i: number }).i % 2 === 0) throw new Error(`order ${(event.payload as { i: number }).i} has no customer`);
        },
      },
    });
    await group.start();
    await until(() => group.counters.deadLettered === 3 && group.counters.handled === 3, 'three handled, three dead-lettered');
    await group.commit();

    const active = await runCli(['groups', 'describe', groupId, '-t', topic], { env });
    expect(active.status).toBe(0);
    expect(jsonLines(active.stdout)[0]).toMatchObject({ groupId, state: 'Stable', partitions: [{ topic, partition: 0, committed: '6', high: '6', lag: '0' }] });
    expect((jsonLines(active.stdout)[0]!.members as unknown[]).length).toBe(1);

    const refused = await runCli(['groups', 'reset-offsets', groupId, '-t', topic, '--to', 'earliest'], { env });
    expect(refused).toMatchObject({ status: 1, stdout: '' });
    expect(refused.stderr).toBe(`tributary: GROUP_ACTIVE: Group "${groupId}" has 1 active member(s): its offsets can be reset only while it has none (stop its members first)\n`);
    await group.stop();

    const listed = await runCli(['dlt', 'list', dltTopic], { env });
    expect(listed.status).toBe(0);
    const letters = jsonLines(listed.stdout);
    expect(letters.map((l) => l.origin)).toEqual([`${topic}:0@0`, `${topic}:0@2`, `${topic}:0@4`]);
    expect(letters[1]).toMatchObject({ offset: `${dltTopic}:0@1`, errorCode: 'HANDLER_FAILED', group: groupId, attempts: 2, category: 'order.placed', key: 'o-2' });
    expect(letters[1]!.errorMessage).toContain('order 2 has no customer');

    const redriven = await runCli(['dlt', 'redrive', dltTopic, '--offset', '0@1'], { env });
    expect(redriven.stderr).toBe('');
    expect(jsonLines(redriven.stdout)).toEqual([{ from: `${dltTopic}:0@1`, to: `${topic}:0@6`, status: 'ok' }]);
    // The same event (same id, key, payload) is back at the end of its topic, without the dlt headers.
    const back = jsonLines((await runCli(['replay', topic, '--from', `${topic}:0@6`], { env })).stdout);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ id: produced[2]!.id, key: 'o-2', payload: { i: 2 }, headers: {} });

    const missing = await runCli(['dlt', 'redrive', dltTopic, '--offset', '0@9'], { env });
    expect(missing).toMatchObject({ status: 2, stdout: '', stderr: `tributary: INVALID_ARGUMENT: No dead-lettered record at ${dltTopic}:0@9; nothing was redriven\n` });

    const lag = await runCli(['groups', 'lag', groupId, '-t', topic], { env });
    expect(jsonLines(lag.stdout)).toEqual([{ topic, partition: 0, committed: '6', high: '7', lag: '1' }]);
    const reset = await runCli(['groups', 'reset-offsets', groupId, '-t', topic, '--to', `${topic}:0@2`], { env });
    expect(reset.stderr).toBe('');
    expect(jsonLines(reset.stdout)).toEqual([{ topic, partition: 0, offset: '2' }]);
    expect(jsonLines((await runCli(['groups', 'lag', groupId, '-t', topic], { env })).stdout)[0]).toMatchObject({ committed: '2', lag: '5' });
  }, 180_000);

  it('lists groups with their state, protocol type and members, filtered by prefix and state', async () => {
    const suffix = randomBytes(4).toString('hex');
    const topic = `cli-list-${suffix}`;
    const prefix = `cli-list-${suffix}-`;
    expect((await runCli(['topics', 'create', topic, '-p', '1'], { env })).status).toBe(0);
    const members = [0, 1].map(
      (i) => new ConsumerGroup({ brokers, groupId: `${prefix}${i}`, topics: [topic], logger: silentLogger, handlers: { '#': () => {} } }),
    );
    await Promise.all(members.map((m) => m.start()));
    await members[1]!.stop();

    const listed = await runCli(['groups', 'list', '--prefix', prefix], { env });
    expect(listed).toMatchObject({ status: 0, stderr: '' });
    expect(jsonLines(listed.stdout)).toEqual([
      { group: `${prefix}0`, state: 'Stable', protocolType: 'consumer', members: 1 },
      { group: `${prefix}1`, state: 'Empty', protocolType: 'consumer', members: 0 },
    ]);
    const stable = await runCli(['groups', 'list', '--prefix', prefix, '--state', 'stable'], { env });
    expect(jsonLines(stable.stdout).map((g) => g.group)).toEqual([`${prefix}0`]);
    await members[0]!.stop();

    const bad = await runCli(['groups', 'list', '--state', 'Asleep'], { env });
    expect(bad).toMatchObject({ status: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^tributary: error: option '-s, --state <state>' argument 'Asleep' is invalid\. expected one of Empty, Stable, PreparingRebalance, CompletingRebalance, Dead, got "Asleep"\n$/);
  }, 120_000);

  it('asks for what is missing, exit 2', async () => {
    const lag = await runCli(['groups', 'lag', 'g'], { env });
    expect(lag).toMatchObject({ status: 2, stdout: '' });
    expect(lag.stderr).toMatch(/required option '-t, --topic <topic>' not specified/);
    const redrive = await runCli(['dlt', 'redrive', 'x.DLT'], { env });
    expect(redrive.status).toBe(2);
    expect(redrive.stderr).toMatch(/Choose the records to redrive/);
  }, 60_000);
});
