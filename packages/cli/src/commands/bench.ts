import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError as CommanderArgumentError, Option, type Command } from 'commander';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { ChildProgramFailed, UsageError } from '../cli/errors.js';
import { action, type CommandContext } from '../cli/program.js';

/** The workspace the command line runs from (it runs from source), where `pnpm bench`'s runner lives. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const RUN_TS = `${ROOT}scripts/run-ts.mjs`;
const BENCH = `${ROOT}packages/bench/src/cli.ts`;

interface BenchOptions {
  scale?: number;
  out?: string;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CommanderArgumentError(`expected a number > 0 (a multiplier of every suite's record counts), got "${value}"`);
  return n;
}

/**
 * Run `pnpm bench`'s runner as a child with this terminal: its log and report are its own. The brokers of the run
 * (--brokers, --config) become its KAFKA_BROKERS; without them it uses $KAFKA_BROKERS or starts its own broker.
 * A SIGINT or SIGTERM is passed on, so the broker it started stops with it. Exits with the runner's code.
 */
async function runBench(ctx: CommandContext, suites: string[], o: BenchOptions): Promise<void> {
  if (!existsSync(BENCH)) throw new TributaryError(ErrorCodes.UNSUPPORTED, `The benchmarks are not in this installation (no ${BENCH}): run tributary bench from a clone of the workspace`, { context: { path: BENCH } });
  const brokers = ctx.options.brokers !== undefined || ctx.options.config !== undefined ? ctx.connection().brokers.join(',') : undefined;
  const args = [RUN_TS, BENCH, ...suites, ...(o.scale !== undefined ? ['--scale', String(o.scale)] : []), ...(o.out !== undefined ? ['--out', o.out] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...(brokers ? { KAFKA_BROKERS: brokers } : {}) } });
  const stop = () => child.kill('SIGINT');
  ctx.signal.addEventListener('abort', stop, { once: true });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status, signal) => resolve(status ?? (signal === 'SIGINT' ? 130 : 143)));
  });
  ctx.signal.removeEventListener('abort', stop);
  if (code !== 0) throw new ChildProgramFailed('the benchmark runner', code);
}

/** `tributary bench`: the benchmark suites of `pnpm bench`, run by their own runner. */
export function benchCommand(parent: Command): void {
  parent
    .command('bench')
    .description("run benchmark suites (pnpm bench's runner): each figure beside raw kafkajs and Kafka's Java tools, written to a report")
    .argument('[suite...]', 'suites to run: broker, baseline, producer, codec, consumer, round-trip, streams, commands (default: all; baseline always runs, its figures are the anchors)')
    .addOption(new Option('--scale <n>', "multiply every suite's record counts (0.1 for a quick look)").argParser(positiveNumber))
    .addOption(new Option('--out <file>', 'the report to add the run to (default docs/benchmarks.md)'))
    .addHelpText('after', '\nThe runner logs to the terminal and prints the run as a Markdown section; without --brokers or KAFKA_BROKERS it starts a broker of its own.')
    .action(
      action(async (ctx, suites: string[], o: BenchOptions) => {
        if (suites.some((s) => !/^[a-z][a-z-]*$/.test(s))) throw new UsageError(`A suite is a name such as producer or round-trip, got ${suites.map((s) => JSON.stringify(s)).join(', ')}`, { argument: 'suite' });
        await runBench(ctx, suites, o);
      }),
    );
}
