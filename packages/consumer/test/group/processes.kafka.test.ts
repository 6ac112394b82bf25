import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { randomGroup } from '@tributary/test-kit';
import { events, freshTopic, publish, sleep, until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');
const worker = fileURLToPath(new URL('../fixtures/group-worker.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Member {
  name: string;
  child: ChildProcess;
  out: string;
  /** Where the member writes its revocations, with their wall time. */
  membership: string;
  /** The partitions the member owns, as it last told. */
  owned: Set<number>;
  started: Promise<void>;
  exited: Promise<number | null>;
}

function startMember(name: string, env: Record<string, string>, dir: string): Member {
  const out = join(dir, `${name}.log`);
  const membership = join(dir, `${name}.membership`);
  const child = fork(worker, [], { cwd: root, execArgv: ['--conditions=tributary-source', '--import', 'tsx'], env: { ...process.env, ...env, OUT: out, NAME: name, MEMBERSHIP_OUT: membership }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const owned = new Set<number>();
  child.on('message', (m: { assigned?: number[]; revoked?: number[] }) => {
    for (const p of m.assigned ?? []) owned.add(p);
    for (const p of m.revoked ?? []) owned.delete(p);
  });
  const started = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { started?: boolean }) => m.started && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it started`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, out, membership, owned, started, exited };
}

/** One event handed to a member's handler: its partition and offset, and the wall time it was handed over. */
interface Handling {
  partition: number;
  offset: bigint;
  at: number;
}

async function lines(file: string): Promise<string[][]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => line.split(' '));
}

async function handlingsOf(m: Member): Promise<Handling[]> {
  return (await lines(m.out)).map(([, p, o, at]) => ({ partition: Number(p), offset: BigInt(o!), at: Number(at) }));
}

/** When the member was told it lost each partition, per partition. */
async function revocationsOf(m: Member): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const [, partitions, at] of await lines(m.membership)) for (const p of partitions!.split(',')) out.set(Number(p), [...(out.get(Number(p)) ?? []), Number(at)]);
  return out;
}

/**
 * Events `suspect` handled while `owner` held the same partition: handed over after one of `owner`'s events of the
 * partition and before its next one, with no revocation of the partition at `owner` between the two. `owner`
 * never stood still, so its own account of what it owned is the group's.
 */
function handledWhileOwned(suspect: readonly Handling[], owner: readonly Handling[], revoked: Map<number, number[]>): Handling[] {
  return suspect.filter((h) => {
    const times = owner.filter((o) => o.partition === h.partition).map((o) => o.at);
    const before = Math.max(...times.filter((t) => t < h.at));
    const after = Math.min(...times.filter((t) => t > h.at));
    if (!Number.isFinite(before) || !Number.isFinite(after)) return false;
    return !(revoked.get(h.partition) ?? []).some((t) => t >= before && t <= after);
  });
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

  it('a member stopped past its session timeout hands nothing of the partitions it lost once it runs again, and nothing is lost', async () => {
    const topic = await freshTopic(brokers, 'stopped', 6, false);
    const dir = await mkdtemp(join(tmpdir(), 'tributary-stopped-'));
    const env = { BROKERS: brokers.join(','), TOPIC: topic, GROUP: randomGroup() };
    const [a, b] = [startMember('a', env, dir), startMember('b', env, dir)] as const;
    await using producer = new KafkaProducerPlugin({ topic, brokers });
    const produced: string[] = [];
    let producing = true;
    let production = Promise.resolve();
    try {
      await Promise.all([a.started, b.started]);
      await producer.open();
      // Records keep coming all along, so the member that takes over handles its new partitions throughout.
      production = (async () => {
        for (let round = 0; producing; round++) {
          for (const e of await producer.send(events(30, ['job.run'], 48, round * 30))) produced.push(`${e.offset!.partition}@${e.offset!.offset}`);
          await sleep(100);
        }
      })();
      await until('both members own partitions', () => a.owned.size > 0 && b.owned.size > 0 && a.owned.size + b.owned.size === 6);
      await until('both members handle', async () => (await handlingsOf(a)).length > 0 && (await handlingsOf(b)).length > 0);
      const lost = [...a.owned];
      const stoppedAt = Date.now();
      process.kill(a.child.pid!, 'SIGSTOP');
      // The session (6 s) ends, the coordinator gives a's partitions to b, and b handles them for a while.
      await until('b took over every partition of a', async () => {
        const byB = await handlingsOf(b);
        return lost.every((p) => byB.some((h) => h.partition === p && h.at > stoppedAt));
      }, 30_000);
      await sleep(2000);
      const resumedAt = Date.now();
      process.kill(a.child.pid!, 'SIGCONT');
      // a learns it was dropped, rejoins, and the partitions are shared again.
      await sleep(8000);
      producing = false;
      await production;
      const handled = async () => new Set([...(await handlingsOf(a)), ...(await handlingsOf(b))].map((h) => `${h.partition}@${h.offset}`));
      await until('every produced record handled', async () => {
        const seen = await handled();
        return produced.every((k) => seen.has(k));
      }, 60_000);
      const [byA, byB] = [await handlingsOf(a), await handlingsOf(b)];
      const afterResume = byA.filter((h) => h.at >= resumedAt);
      // The scenario took place: a worked again after it resumed.
      expect(afterResume.length).toBeGreaterThan(0);
      // No event of a partition b had taken over was handed to a while b held it.
      const concurrent = handledWhileOwned(byA.filter((h) => h.at > stoppedAt), byB, await revocationsOf(b));
      expect(concurrent.map((h) => `${h.partition}@${h.offset} at +${h.at - resumedAt} ms`)).toEqual([]);
      const seen = await handled();
      expect(produced.filter((k) => !seen.has(k))).toEqual([]);
    } finally {
      producing = false;
      await production.catch(() => undefined);
      for (const m of [a, b]) if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
