import { describe, expect, inject, it } from 'vitest';
import { freshPrefix, hub } from './support/messaging.js';

const brokers = inject('kafkaBrokers');

describe('one cluster, a thousand sessions', () => {
  it('holds 1,000 sessions on two topics: every hub sees them all, filters pick among them, paths reach them', async () => {
    const prefix = await freshPrefix(brokers, 8);
    const options = { heartbeatMs: 2000, sessionTimeoutMs: 20_000 };
    await using many = hub(brokers, prefix, options);
    await using other = hub(brokers, prefix, options);
    const sessions = await Promise.all(Array.from({ length: 1000 }, (_, i) => many.openSession({ properties: { Index: String(i), Shard: String(i % 10) } })));
    // A hundred paths, each with ten handlers.
    await Promise.all(sessions.map((s, i) => s.registerRequestHandler(`svc/${i % 100}`, (x: number) => ({ x, by: s.id }))));
    const client = await other.openSession();
    await until(() => other.sessions().length === 1001 && client.session(sessions[999]!.id)?.registeredPaths.length === 1);
    expect(client.sessions("Shard is '3'")).toHaveLength(100);
    expect(client.sessions('Index < 10 and not Shard in [\'0\', \'1\']').map((s) => s.properties.Index).sort()).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
    // Inboxes spread evenly over the partitions.
    const perInbox = new Map<number, number>();
    for (const s of sessions) perInbox.set(s.inbox, (perInbox.get(s.inbox) ?? 0) + 1);
    expect([...perInbox.values()].sort()).toEqual(new Array(8).fill(125));
    // Every path answers; requests to one path are balanced over its ten handlers.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.sendRequestToPath<{ x: number; by: string }>(`svc/${i % 100}`, i)));
    expect(answers.map((a) => a.x)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(new Set(answers.map((a) => a.by)).size).toBe(200);
  });
});

async function until(probe: () => boolean | undefined, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
