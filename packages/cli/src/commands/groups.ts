import { InvalidArgumentError as CommanderArgumentError, Option, type Command } from 'commander';
import { resetGroupOffsets } from '@tributary/consumer';
import type { PartitionLag } from '@tributary/kafka';
import { UsageError } from '../cli/errors.js';
import { action, collect } from '../cli/program.js';

/** Kafka's group states (GroupState in Kafka's GroupCoordinator), as DescribeGroups names them. */
const GROUP_STATES = ['Empty', 'Stable', 'PreparingRebalance', 'CompletingRebalance', 'Dead'];

/** A `--state` value (any case) as Kafka spells it, collected into a list. */
function groupState(value: string, previous: string[] | undefined): string[] {
  const state = GROUP_STATES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!state) throw new CommanderArgumentError(`expected one of ${GROUP_STATES.join(', ')}, got "${value}"`);
  return collect(state, previous);
}

const LAG_COLUMNS = ['topic', 'partition', 'committed', 'high', 'lag'];

function lagRows(lag: readonly PartitionLag[]): Array<Record<string, unknown>> {
  return lag.map((l) => ({ topic: l.topic, partition: l.partition, committed: l.committed, high: l.high, lag: l.lag }));
}

interface TopicsOption {
  topic?: string[];
}

function topicsOf(opts: TopicsOption, what: string): string[] {
  if (!opts.topic || opts.topic.length === 0) throw new UsageError(`${what} needs the group's topics: --topic <topic> (repeatable)`, { option: 'topic' });
  return opts.topic;
}

/**
 * `tributary groups list|describe|lag|reset-offsets`: the cluster's groups, a consumer group's state, members,
 * commits and lag, and moving its commits (through the consumer's resetGroupOffsets, only while the group has no
 * member).
 */
export function groupsCommand(parent: Command): void {
  const groups = parent.command('groups').description('list and describe consumer groups, show their lag, and move their commits');
  const topicOption = () => new Option('-t, --topic <topic>', "a topic the group reads (repeatable)").argParser(collect);

  groups
    .command('list')
    .description('list the groups of the cluster with their state, protocol type and member count')
    .addOption(new Option('-s, --state <state>', 'only groups in this state (repeatable)').argParser(groupState))
    .option('-p, --prefix <prefix>', 'only groups whose id starts with this')
    .action(
      action(async (ctx, opts: { state?: string[]; prefix?: string }) => {
        const listed = await (await ctx.admin()).listGroups();
        const rows = listed.filter((g) => (!opts.state || opts.state.includes(g.state)) && (!opts.prefix || g.groupId.startsWith(opts.prefix)));
        ctx.output.table(
          rows.map((g) => ({ group: g.groupId, state: g.state, protocolType: g.protocolType, members: g.members })),
          ['group', 'state', 'protocolType', 'members'],
        );
      }),
    );

  groups
    .command('describe')
    .description("a group's state and members; with --topic, its commit and lag on each partition")
    .argument('<group>', 'the group id')
    .addOption(topicOption())
    .action(
      action(async (ctx, groupId: string, opts: TopicsOption) => {
        const admin = await ctx.admin();
        const group = await admin.describeGroup(groupId);
        if (ctx.output.json) {
          const lag = opts.topic ? await admin.lag(groupId, opts.topic) : undefined;
          ctx.output.line({ ...group, ...(lag ? { partitions: lagRows(lag) } : {}) });
          return;
        }
        ctx.output.record({ group: group.groupId, state: group.state, members: group.members.length });
        if (group.members.length > 0) {
          ctx.output.text('\n');
          ctx.output.table(group.members.map((m) => ({ member: m.memberId, client: m.clientId, host: m.host })));
        }
        if (opts.topic) {
          ctx.output.text('\n');
          ctx.output.table(lagRows(await admin.lag(groupId, opts.topic)), LAG_COLUMNS);
        }
      }),
    );

  groups
    .command('lag')
    .description("per partition: the group's commit, the high watermark and the lag between them")
    .argument('<group>', 'the group id')
    .addOption(topicOption().makeOptionMandatory())
    .action(
      action(async (ctx, groupId: string, opts: TopicsOption) => {
        const admin = await ctx.admin();
        const lag = await admin.lag(groupId, topicsOf(opts, 'lag'));
        ctx.output.table(lagRows(lag), LAG_COLUMNS);
      }),
    );

  groups
    .command('reset-offsets')
    .description("move the group's commits on its topics (only while the group has no member: stop them first)")
    .argument('<group>', 'the group id')
    .addOption(topicOption().makeOptionMandatory())
    .requiredOption('--to <where>', 'earliest, latest, a position (orders:0@42,orders:1@17) or an ISO time')
    .addOption(new Option('--on-out-of-range <policy>', 'a position outside a partition: fail, or the nearer end').choices(['fail', 'earliest', 'latest']).default('fail'))
    .action(
      action(async (ctx, groupId: string, opts: TopicsOption & { to: string; onOutOfRange: 'fail' | 'earliest' | 'latest' }) => {
        const moved = await resetGroupOffsets({ ...ctx.connection(), groupId, topics: topicsOf(opts, 'reset-offsets'), to: opts.to, onOutOfRange: opts.onOutOfRange });
        ctx.output.table(moved.map((m) => ({ topic: m.topic, partition: m.partition, offset: m.offset })), ['topic', 'partition', 'offset']);
      }),
    );
}
