import { Option, type Command } from 'commander';
import { kafkaReplaySource, replay, type ReplayProgress } from '@tributary/consumer';
import { readerCodecs, schemaTopicOption } from '../cli/codecs.js';
import { UsageError } from '../cli/errors.js';
import { EVENT_COLUMNS } from '../cli/event-lines.js';
import { action, collect, type CommandContext } from '../cli/program.js';
import { formatProgress } from '../cli/progress.js';
import { eventRow } from './consume.js';

interface ReplayCommandOptions {
  from: string;
  to: string;
  category?: string[];
  progress: boolean;
  events: boolean;
  schemaTopic?: string;
}

const BOUND = "earliest, a position (orders:0@42,orders:1@17) or an ISO time";

function checkBound(name: string, value: string, allowed: readonly string[]): void {
  if (allowed.includes(value) || value.includes('@') || !Number.isNaN(Date.parse(value))) return;
  throw new UsageError(`--${name} must be ${allowed.join(', ')}, a position (topic:partition@offset,...) or an ISO time, got "${value}"`, { option: name, value });
}

/**
 * A progress bar on stderr, only when stderr is a terminal: redrawn at most every 100 ms, cleared before an
 * event line is written to the same terminal, so events and bar never mix; nothing at all when piped.
 */
class ProgressLine {
  readonly #stream = process.stderr;
  readonly #on: boolean;
  #shown = false;
  #last = 0;
  #progress: ReplayProgress | undefined;

  constructor(enabled: boolean) {
    this.#on = enabled && process.stderr.isTTY === true;
  }

  update(p: ReplayProgress, force = false): void {
    this.#progress = p;
    if (!this.#on || (!force && Date.now() - this.#last < 100)) return;
    this.#last = Date.now();
    // Cut to the terminal's width: a line that wraps could not be redrawn in place with \r.
    const line = `  ${formatProgress(p)}`;
    this.#stream.write(`\r\x1b[K${this.#stream.columns ? line.slice(0, this.#stream.columns - 1) : line}`);
    this.#shown = true;
  }

  /** Take the bar off the line before other output goes to the same terminal. */
  clear(): void {
    if (this.#shown && process.stdout.isTTY) {
      this.#stream.write('\r\x1b[K');
      this.#shown = false;
    }
  }

  end(): void {
    if (this.#on && this.#progress) {
      this.update(this.#progress, true);
      this.#stream.write('\n');
    }
  }
}

async function runReplay(ctx: CommandContext, topic: string, opts: ReplayCommandOptions): Promise<void> {
  const admin = await ctx.admin();
  if (!(await admin.listTopics()).includes(topic)) throw new UsageError(`No such topic: ${topic}`, { topic });
  const bar = new ProgressLine(opts.progress);
  let events = 0;
  let records = 0;
  const source = kafkaReplaySource(ctx.connection());
  for await (const event of replay({
    source,
    topic,
    from: opts.from,
    to: opts.to,
    codecs: readerCodecs(ctx, opts),
    ...(opts.category ? { categories: opts.category } : {}),
    signal: ctx.signal,
    onProgress: (p) => {
      records = p.records;
      bar.update(p);
    },
  })) {
    events++;
    if (!opts.events) continue;
    bar.clear();
    ctx.output.line(eventRow(event), EVENT_COLUMNS);
  }
  bar.end();
  if (opts.events) return;
  if (ctx.output.json) ctx.output.line({ topic, events, records });
  else ctx.output.text(`Replayed ${events} events (${records} records read) of ${topic}\n`);
}

/** `tributary replay`: a topic's events over a range, without a group, with a progress bar on a terminal. */
export function replayCommand(parent: Command): void {
  parent
    .command('replay')
    .description('read a range of a topic without a consumer group (nothing is committed) and print its events, with a progress bar on a terminal')
    .argument('<topic>', 'the topic to replay')
    .addOption(new Option('--from <start>', `where to start: ${BOUND}`).default('earliest'))
    .addOption(new Option('--to <end>', "where to stop (exclusive): end (the end when the replay starts), a position or an ISO time").default('end'))
    .option('-c, --category <pattern>', 'only events matching this category pattern (repeatable)', collect)
    .option('--no-progress', 'no progress bar (it is drawn on stderr only when stderr is a terminal)')
    .option('--no-events', 'print only the count of events and records replayed')
    .addOption(schemaTopicOption())
    .action(
      action(async (ctx, topic: string, opts: ReplayCommandOptions) => {
        checkBound('from', opts.from, ['earliest']);
        checkBound('to', opts.to, ['end']);
        await runReplay(ctx, topic, opts);
      }),
    );
}
