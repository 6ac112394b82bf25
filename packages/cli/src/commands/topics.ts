import { Option, type Command } from 'commander';
import { action, collect, integerArg } from '../cli/program.js';
import { UsageError } from '../cli/errors.js';

function configs(entries: readonly string[] | undefined): Record<string, string> | undefined {
  if (!entries) return undefined;
  return Object.fromEntries(
    entries.map((entry) => {
      const at = entry.indexOf('=');
      if (at <= 0) throw new UsageError(`--config-entry must be name=value, got "${entry}"`, { option: 'config-entry', value: entry });
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

/** `tributary topics list|create|describe`: the cluster's topics, through KafkaAdmin and ensureTopics. */
export function topicsCommand(parent: Command): void {
  const topics = parent.command('topics').description('list, create and describe topics');

  topics
    .command('list')
    .description('list the topics of the cluster (internal ones with --all)')
    .option('-a, --all', 'include internal topics (__consumer_offsets...)')
    .action(
      action(async (ctx, opts: { all?: boolean }) => {
        const admin = await ctx.admin();
        const names = (await admin.listTopics()).filter((t) => opts.all || !t.startsWith('__')).sort();
        const rows = await Promise.all(names.map(async (topic) => ({ topic, partitions: (await admin.describeTopic(topic)).length })));
        ctx.output.table(rows, ['topic', 'partitions']);
      }),
    );

  topics
    .command('create')
    .description('create topics that do not exist yet (an existing topic with enough partitions is left as it is)')
    .argument('<topic...>', 'topic names')
    .addOption(new Option('-p, --partitions <n>', 'partitions of each new topic (default 3); an existing topic must have at least as many').argParser(integerArg(1)))
    .addOption(new Option('-r, --replication-factor <n>', 'replicas of each partition (default: 3 on a cluster of three or more brokers, else 1)').argParser(integerArg(1)))
    .option('-c, --config-entry <name=value>', 'a topic config, such as cleanup.policy=compact (repeatable)', collect)
    .action(
      action(async (ctx, names: string[], opts: { partitions?: number; replicationFactor?: number; configEntry?: string[] }) => {
        const admin = await ctx.admin();
        const entries = configs(opts.configEntry);
        const result = await admin.ensureTopics(names.map((topic) => ({ topic, ...(opts.partitions ? { partitions: opts.partitions } : {}), ...(opts.replicationFactor ? { replicationFactor: opts.replicationFactor } : {}), ...(entries ? { configs: entries } : {}) })));
        ctx.output.table([...result.created.map((topic) => ({ topic, status: 'created' })), ...result.existing.map((topic) => ({ topic, status: 'existing' }))], ['topic', 'status']);
      }),
    );

  topics
    .command('describe')
    .description("show a topic's partitions (leader, replicas, in-sync replicas, offsets) and its configuration")
    .argument('<topic>', 'topic name')
    .action(
      action(async (ctx, topic: string) => {
        const admin = await ctx.admin();
        if (!(await admin.listTopics()).includes(topic)) throw new UsageError(`Topic "${topic}" does not exist`, { topic });
        const partitions = await admin.describeTopic(topic);
        const ranges = new Map((await admin.ranges(topic)).map((r) => [r.partition, r]));
        const config = await admin.topicConfig(topic, ['cleanup.policy', 'retention.ms', 'min.insync.replicas', 'compression.type']);
        const rows = partitions.map((p) => ({ topic, partition: p.partition, leader: p.leader, replicas: p.replicas.join(','), isr: p.isr.join(','), low: ranges.get(p.partition)?.low, high: ranges.get(p.partition)?.high, ...(ctx.output.json ? { config } : {}) }));
        ctx.output.table(rows, ['partition', 'leader', 'replicas', 'isr', 'low', 'high']);
        if (!ctx.output.json) ctx.output.text(`\n${Object.entries(config).map(([k, v]) => `${k}=${v}`).join('  ')}\n`);
      }),
    );
}
