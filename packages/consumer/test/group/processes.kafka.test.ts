import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { randomGroup } from '@tributary/test-kit';
import { events, freshTopic, publish, sleep, until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');
const worker = fileURLToPath(new URL('../fixtures/group-worker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Member {
  name: string;
  child: ChildProcess;
  out: string;
  started: Promise<void>;
  exited: Promise<number | null>;
}

function startMember(name: string, env: Record<string, string>, dir: string): Member {
  const out = join(dir, `${name}.log`);
  const child = fork(worker, [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, ...env, OUT: out, NAME: name }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const started = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { started?: boolean }) => m.started && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it started`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, out, started, exited };
}

async function handledBy(m: Member): Promise<string[]> {
  const text = await readFile(m.out, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => line.split(' ')[0]!);
}

describe('consumer group members in separate processes', () => {
  it('loses nothing when one member is killed; duplicates are only what the killed member had not committed', async () => {
    const topic = await freshTopic(brokers, 'procs', 6, false);
    const dir = await mkdtemp(join(tmpdir(), 'tributary-procs-'));
    const env = { BROKERS: brokers.join(','), TOPIC: topic, GROUP: randomGroup() };
    const members = ['a', 'b', 'c'].map((name) => startMember(name, env, dir));
    try {
      await Promise.all(members.map((m) => m.started));
      const sent: string[] = [];
      // A steady stream, with the kill in the middle of it.
      for (let round = 0; round < 20; round++) {
        sent.push(...(await publish(brokers, topic, events(50, ['job.run'], 48, round * 50))).map((e) => e.id));
        if (round === 8) {
          await until('the victim handled some', async () => (await handledBy(members[0]!)).length > 0);
          members[0]!.child.kill('SIGKILL');
        }
        await sleep(100);
      }
      const all = async () => (await Promise.all(members.map(handledBy))).flat();
      await until('every event handled', async () => new Set(await all()).size >= sent.length, 60_000);
      for (const m of members.slice(1)) m.child.kill('SIGTERM');
      expect(await Promise.all(members.slice(1).map((m) => m.exited))).toEqual([0, 0]);
      const seen = await all();
      const counts = new Map<string, number>();
      for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
      expect(sent.filter((id) => !counts.has(id))).toEqual([]);
      expect([...counts.keys()].filter((id) => !sent.includes(id))).toEqual([]);
      const victim = new Set(await handledBy(members[0]!));
      const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
      // Every duplicate was handled by the killed member and again by its successor; none twice by survivors.
      for (const id of duplicates) {
        expect(victim.has(id)).toBe(true);
        expect(counts.get(id)).toBe(2);
      }
      expect(duplicates.length).toBeLessThan(victim.size);
    } finally {
      for (const m of members) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
