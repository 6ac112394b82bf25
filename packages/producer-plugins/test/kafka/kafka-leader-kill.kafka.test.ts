import { describe, expect, it } from 'vitest';
import { Event, FailedToSendEventError, type EventOffset } from '@tributary/core';
import { KafkaAdmin, readToEnd } from '@tributary/kafka';
import { randomTopic, testClient, waitFor, type KafkaCluster } from '@tributary/test-kit';
import { useKafkaCluster } from '@tributary/test-kit/vitest';
import { KafkaProducerPlugin } from '../../src/kafka/kafka-producer-plugin.js';

type Report = { status: 'ok'; offset: EventOffset | undefined } | { status: 'failed' | 'unknown' };

/** Leader and in-sync replicas of each partition, as the cluster's metadata has them now. */
async function partitions(cluster: KafkaCluster, topic: string): Promise<Array<{ partitionId: number; leader: number; isr: readonly number[] }>> {
  await using admin = new KafkaAdmin(testClient(cluster.brokers));
  return (await admin.describeTopic(topic)).map((p) => ({ partitionId: p.partition, leader: p.leader, isr: p.isr }));
}

/** Wait until every partition has a leader and all three replicas in sync, so the next kill leaves two. */
function fullIsr(cluster: KafkaCluster, topic: string) {
  return waitFor(
    `all replicas of ${topic} in sync`,
    async () => {
      const ps = await partitions(cluster, topic).catch(() => []);
      return ps.length > 0 && ps.every((p) => p.leader >= 0 && p.isr.length === 3) ? ps : undefined;
    },
    40_000,
  );
}

/**
 * Extra runs of the test on the same cluster, each on a fresh topic: `TRIBUTARY_LEADER_KILL_REPEATS=19` is the producer's
 * durability guard (twenty runs in a row). A normal test run makes one.
 */
const repeats = Number(process.env.TRIBUTARY_LEADER_KILL_REPEATS ?? 0);

describe('kafka plugin: a partition leader killed while requests are in flight (three nodes)', () => {
  const clusterOf = useKafkaCluster({ nodes: 3 });

  it('reports failed only events that are not in the log, and every ok event once at its offset', { timeout: 150_000, repeats }, async () => {
    const cluster = clusterOf();
    const topic = randomTopic('leader-kill');
    // Two producers on one topic (replication 3, min.insync.replicas 2 on three nodes). requestTimeoutMs is also how
    // long a partition's request is retried: the patient one outlasts the 4 s the test cluster takes to fence a dead
    // node, so its retries reach the new leader; the hasty one gives up before, so its events end failed or unknown.
    const producers = [
      { name: 'patient', requestTimeoutMs: 10_000 },
      { name: 'hasty', requestTimeoutMs: 1500 },
    ].map(({ name, requestTimeoutMs }) => ({
      name,
      plugin: new KafkaProducerPlugin({ topic, brokers: cluster.brokers, connectRetries: 3, requestTimeoutMs, maxInFlightRequests: 5, ensureTopics: [{ topic, partitions: 3 }] }),
      reports: new Map<string, Report>(),
      reasons: new Map<string, number>(),
      where: new Map<string, string>(),
      sent: 0,
    }));
    for (const p of producers) await p.plugin.open();
    await fullIsr(cluster, topic);

    const send = async (p: (typeof producers)[number], tag: string, n: number) => {
      const events = Array.from({ length: n }, (_, i) => Event.create({ category: `kill.${tag}`, key: `key-${(p.sent + i) % 24}`, payload: { i } }));
      p.sent += n;
      try {
        for (const e of await p.plugin.send(events)) p.reports.set(e.id, { status: 'ok', offset: e.offset });
      } catch (error) {
        if (!(error instanceof FailedToSendEventError)) throw error;
        for (const o of error.outcomes) {
          p.reports.set(o.event.id, o.status === 'ok' ? { status: 'ok', offset: o.event.offset } : { status: o.status });
          if (o.status !== 'ok') {
            // Why events did not get through, for the log line below: a sudden run of failures names its cause.
            const cause = o.error as Error | undefined;
            // Durations in messages vary from event to event: they would split one reason into many.
            const reason = `${o.status}: ${String(cause?.message ?? cause).replace(/\d+ ms/g, 'N ms').slice(0, 160)}`;
            const seen = p.reasons.get(reason);
            // The first error of each reason keeps where it was made: the path a sudden run of failures took.
            if (seen === undefined) p.where.set(reason, `${String(cause?.message ?? cause)} @ ${String(cause?.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 6).map((l) => l.trim()).join(' < ')}`);
            p.reasons.set(reason, (seen ?? 0) + 1);
          }
        }
      }
    };
    // Several senders per producer, so a produce request is almost always outstanding and more send() calls wait behind it.
    let stop = false;
    const senders = producers.flatMap((p) =>
      [0, 1].map((s) =>
        (async () => {
          while (!stop) await send(p, `steady${s}`, 10);
        })(),
      ),
    );

    const kills: Array<{ node: number; inFlight: number }> = [];
    for (const [round, delayMs] of [0, 2, 5].entries()) {
      const leader = (await fullIsr(cluster, topic)).find((p) => p.partitionId === round % 3)!.leader;
      const victim = cluster.node(leader);
      // A burst of sends, then SIGKILL a moment later: the burst's requests are on the wire or about to be. A timer
      // fires late on a busy event loop, so a burst can be all settled by then (7 of 40 guard runs at 5-6 ms): such
      // a kill would find nothing in flight, so the burst is sent again instead, up to five times.
      let settled = 0;
      let burst: Array<Promise<void>> = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        settled = 0;
        burst = producers.flatMap((p) => Array.from({ length: 4 }, (_, b) => send(p, `burst${round}-${attempt}-${b}`, 100).finally(() => settled++)));
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        if (settled < burst.length) break;
        await Promise.all(burst);
      }
      const killed = victim.kill();
      kills.push({ node: leader, inFlight: burst.length - settled });
      await killed;
      await Promise.all(burst);
      // Writes go on through the fail-over, then the node comes back.
      await new Promise((r) => setTimeout(r, 5000));
      await victim.start();
    }
    await fullIsr(cluster, topic);
    stop = true;
    await Promise.all(senders);
    for (const p of producers) await p.plugin.close();

    const logged = new Map<string, Array<{ partition: number; offset: bigint }>>();
    for (const r of await readToEnd({ brokers: cluster.brokers }, topic)) {
      const id = r.headers['tributary-id']!.toString();
      logged.set(id, [...(logged.get(id) ?? []), { partition: r.partition, offset: r.offset }]);
    }
    const duplicated = [...logged].filter(([, at]) => at.length > 1).map(([id]) => id);
    const foreign = [...logged.keys()].filter((id) => !producers.some((p) => p.reports.has(id)));
    const lines = [`leader kills: ${kills.map((k) => `node ${k.node} (${k.inFlight} sends in flight)`).join(', ')}; ${logged.size} ids in the log, ${duplicated.length} duplicated`];
    const problems: Record<string, string[]> = { duplicated, foreign };
    for (const p of producers) {
      const byStatus = (status: Report['status']) => [...p.reports].filter(([, r]) => r.status === status);
      const [ok, failed, unknown] = [byStatus('ok'), byStatus('failed'), byStatus('unknown')];
      const phantom = failed.filter(([id]) => logged.has(id)).map(([id]) => id);
      const lost = ok.filter(([id]) => !logged.has(id)).map(([id]) => id);
      const misplaced = ok
        .filter(([id, r]) => {
          const at = logged.get(id)?.[0];
          const offset = r.status === 'ok' ? r.offset : undefined;
          return at !== undefined && (offset === undefined || offset.partition !== at.partition || offset.offset !== at.offset);
        })
        .map(([id]) => id);
      const unknownInLog = unknown.filter(([id]) => logged.has(id)).length;
      lines.push(
        `${p.name} (requestTimeoutMs ${p.plugin.settings.requestTimeoutMs}): ${p.reports.size} events, ${ok.length} ok, ${failed.length} failed, ` +
          `${unknown.length} unknown (${unknownInLog} of them in the log); phantom ${phantom.length}, lost ${lost.length}, misplaced ${misplaced.length}`,
        // A reason behind many events is logged whole, with where its first error was made.
        ...[...p.reasons].map(([reason, n]) => `  ${n} x ${reason}${n >= 100 ? ` [${p.where.get(reason)}]` : ''}`),
      );
      Object.assign(problems, { [`${p.name} phantom`]: phantom, [`${p.name} lost`]: lost, [`${p.name} misplaced`]: misplaced });
      expect(p.reports.size).toBe(p.sent);
    }
    console.log(lines.join('\n'));
    expect(kills.every((k) => k.inFlight > 0)).toBe(true);
    expect(Object.values(problems).every((ids) => ids.length === 0), JSON.stringify(problems)).toBe(true);
  });
});
