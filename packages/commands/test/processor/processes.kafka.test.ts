import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, silentLogger } from '@tributary/kafka';
import { testClient } from '@tributary/test-kit';
import { ChainCommandMessage, CommandSender, followUpId } from '@tributary/commands';
import { committedCommands, freshCommands, until } from '../support/commands.js';

const brokers = inject('kafkaBrokers');
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/processor.ts', import.meta.url));

function startProcessor(env: Record<string, string>) {
  const child = fork(fixture, [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, BROKERS: brokers.join(','), ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const state = { executed: 0, started: false };
  child.on('message', (m: { executed?: number; started?: boolean }) => {
    if (m.started) state.started = true;
    if (m.executed !== undefined) state.executed = m.executed;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, state, exited };
}

describe('a transactional command processor killed with kill -9', () => {
  it('loses no follow-up and publishes none twice to read_committed readers, across three kills', async () => {
    const { topic, groupId } = await freshCommands(brokers);
    const count = 300;
    await using sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic });
    const chains = await sender.sendMessages(Array.from({ length: count }, (_, i) => new ChainCommandMessage(i)));
    const env = { TOPIC: topic, GROUP_ID: groupId, TRANSACTIONAL_ID: `${groupId}-worker` };
    let total = 0;
    for (const killAfter of [40, 60, 80]) {
      const p = startProcessor(env);
      await until(() => p.state.executed >= killAfter, 90_000);
      total += p.state.executed;
      p.child.kill('SIGKILL');
      await p.exited;
    }
    // The last one runs to the end: every chain and every echo it led to, committed.
    const last = startProcessor(env);
    await using admin = new KafkaAdmin(testClient(brokers));
    await until(async () => (await admin.lag(groupId, [topic])).every((l) => l.lag === 0n) && last.state.executed > 0, 120_000);
    last.child.send('stop');
    await last.exited;
    const events = await committedCommands(brokers, topic);
    const echoes = events.filter((e) => e.category === 'command.echo');
    const expected = new Set(chains.map((c) => followUpId(c.id, 0)));
    const ids = echoes.map((e) => e.id);
    expect(ids.filter((id) => !expected.has(id))).toEqual([]); // nothing extra
    expect([...expected].filter((id) => !ids.includes(id))).toEqual([]); // nothing lost
    expect(ids.length).toBe(new Set(ids).size); // nothing twice
    expect(events).toHaveLength(2 * count);
    expect(total).toBeGreaterThanOrEqual(180);
  }, 300_000);
});
