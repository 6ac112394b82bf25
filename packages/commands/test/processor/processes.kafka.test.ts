import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, partitionKey, silentLogger } from '@tributary/kafka';
import { testClient } from '@tributary/test-kit';
import { ChainCommandMessage, CommandSender, followUpId } from '@tributary/commands';
import { committedCommands, freshCommands, until } from '../support/commands.js';
import { StallChainCommandMessage } from '../fixtures/stall-chain.js';

const brokers = inject('kafkaBrokers');
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/processor.ts', import.meta.url));

function startProcessor(env: Record<string, string>) {
  const child = fork(fixture, [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, BROKERS: brokers.join(','), ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const state = { executed: 0, started: false, stalling: false, logs: [] as Array<{ level: string; message?: string; err?: unknown }> };
  child.on('message', (m: { executed?: number; started?: boolean; stalling?: boolean; log?: { level: string; message?: string; err?: unknown } }) => {
    if (m.started) state.started = true;
    if (m.stalling) state.stalling = true;
    if (m.log) state.logs.push(m.log);
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

describe('a transactional command processor that stands still mid-transaction (a zombie)', () => {
  it('cannot commit once the group gave its partition to another processor: its transaction is fenced by generation and aborts, and the follow-up is read committed once', async () => {
    const { topic, groupId } = await freshCommands(brokers, 1);
    const zombie = startProcessor({ TOPIC: topic, GROUP_ID: groupId, TRANSACTIONAL_ID: `${groupId}-a`, STALL_AFTER_EXECUTE: '1' });
    let heir: ReturnType<typeof startProcessor> | undefined;
    try {
      await until(() => zombie.state.started, 90_000);
      await using sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic });
      const [sent] = await sender.sendMessages([new StallChainCommandMessage('once')]);
      // It ran the command, handed it to its transaction, and stood still with that transaction under way.
      await until(() => zombie.state.stalling, 60_000);
      // Another processor joins; the group drops the silent one after its session timeout and gives the partition
      // to the newcomer, which reads from the group's commit, runs the command and commits its follow-up.
      heir = startProcessor({ TOPIC: topic, GROUP_ID: groupId, TRANSACTIONAL_ID: `${groupId}-b` });
      await using admin = new KafkaAdmin(testClient(brokers));
      await until(async () => ((await admin.groupOffsets(groupId, [topic])).get(partitionKey(topic, 0)) ?? 0n) >= 1n, 40_000);
      // The zombie resumes with its transaction under way: the coordinator refuses its offsets, a member of a
      // generation that is over, and the transaction is aborted before the refusal is logged.
      zombie.child.kill('SIGCONT');
      const refused = () => zombie.state.logs.find((l) => /generation is over/.test(l.message ?? ''));
      await until(() => refused() !== undefined, 60_000);
      expect(String(refused()!.err)).toMatch(/UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION/);
      // The heir's echo is read committed; the zombie's never is.
      const echoes = async () => (await committedCommands(brokers, topic)).filter((e) => e.category === 'command.echo').map((e) => e.id);
      await until(async () => (await echoes()).length > 0, 60_000);
      expect(await echoes()).toEqual([followUpId(sent!.id, 0)]);
      expect((await committedCommands(brokers, topic)).filter((e) => e.category === 'command.stall-chain')).toHaveLength(1);
    } finally {
      for (const p of [zombie, heir]) {
        if (!p) continue;
        p.child.kill('SIGCONT');
        p.child.send('stop');
      }
      await Promise.all([zombie.exited, heir?.exited]);
    }
  }, 240_000);
});
