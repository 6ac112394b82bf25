import { startKafkaCluster, type KafkaNode } from '@tributary/test-kit';
import type { BenchContext, Suite } from '../context.js';

const MiB = 1024 * 1024;

async function nodeFigures(ctx: BenchContext, label: string, nodes: readonly KafkaNode[], startupMs: number): Promise<void> {
  ctx.figures.push({ suite: 'broker', name: `${label}: start-up to ready`, value: startupMs / 1000, unit: 's', anchors: [], notes: 'spawn of the JVM(s) to a client-side view of every broker and a probe topic with leaders' });
  const stats = (await Promise.all(nodes.map((n) => n.stats()))).filter((s) => s !== undefined);
  const rss = stats.reduce((sum, s) => sum + s.rssBytes, 0) / stats.length / MiB;
  const heapUsed = stats.reduce((sum, s) => sum + (s.heapUsedBytes ?? 0), 0) / stats.length / MiB;
  const heapMax = (stats[0]?.heapMaxBytes ?? 0) / MiB;
  ctx.figures.push({ suite: 'broker', name: `${label}: RSS per node`, value: rss, unit: 'MiB', anchors: [] });
  ctx.figures.push({ suite: 'broker', name: `${label}: heap used per node`, value: heapUsed, unit: 'MiB', anchors: [], notes: `of ${heapMax} MiB max heap` });
}

/** Start-up time, heap and RSS of the launcher's broker: one node (this run's) and a three-node cluster. */
export const broker: Suite = {
  name: 'broker',
  title: 'Broker start-up, heap and RSS (JVM launcher)',
  async run(ctx) {
    if (!ctx.cluster) {
      ctx.log('broker: skipped (KAFKA_BROKERS names an external cluster)');
      return;
    }
    await nodeFigures(ctx, 'one node', ctx.cluster.nodes, ctx.cluster.startupMs);
    ctx.log('broker: starting a three-node cluster for its start-up and memory figures');
    const three = await startKafkaCluster({ nodes: 3, fastStart: false });
    try {
      await nodeFigures(ctx, 'three nodes', three.nodes, three.startupMs);
    } finally {
      await three.stop();
    }
  },
};
