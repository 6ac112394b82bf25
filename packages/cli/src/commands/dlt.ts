import type { Command } from 'commander';
import { ErrorCodes, EventHeaders, TributaryError } from '@tributary/core';
import { DeadLetterHeaders } from '@tributary/consumer';
import { KafkaClient, KafkaWriter, readToEnd, type ReadRecord, type RecordToWrite } from '@tributary/kafka';
import { UsageError } from '../cli/errors.js';
import { action, collect, type CommandContext } from '../cli/program.js';

const DLT_PREFIX = 'tributary-dlt-';

/** A dead-lettered record as the user reads it: where it is, where it came from, and why it was given up on. */
function deadLetterRow(r: ReadRecord): Record<string, unknown> {
  const h = (name: string) => r.headers[name]?.toString('utf8');
  return {
    offset: `${r.topic}:${r.partition}@${r.offset}`,
    origin: h(DeadLetterHeaders.topic) === undefined ? undefined : `${h(DeadLetterHeaders.topic)}:${h(DeadLetterHeaders.partition)}@${h(DeadLetterHeaders.offset)}`,
    errorCode: h(DeadLetterHeaders.errorCode),
    errorMessage: h(DeadLetterHeaders.errorMessage),
    group: h(DeadLetterHeaders.group),
    attempts: h(DeadLetterHeaders.attempts) === undefined ? undefined : Number(h(DeadLetterHeaders.attempts)),
    failedAt: h(DeadLetterHeaders.failedAt),
    category: h(EventHeaders.category),
    key: r.key?.toString('utf8'),
  };
}

async function readDeadLetters(ctx: CommandContext, topic: string): Promise<ReadRecord[]> {
  const admin = await ctx.admin();
  if (!(await admin.listTopics()).includes(topic)) throw new UsageError(`No such topic: ${topic}`, { topic });
  return readToEnd(ctx.connection(), topic);
}

/** The record as it was before it was dead-lettered: its key, value and own headers, without the dlt ones. */
function original(r: ReadRecord, target: string): RecordToWrite {
  const headers = Object.fromEntries(Object.entries(r.headers).filter(([name]) => !name.startsWith(DLT_PREFIX)));
  const size = (r.key?.length ?? 0) + (r.value?.length ?? 0) + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length, 0);
  return { topic: target, size, record: { key: r.key, value: r.value, headers, timestamp: String(Date.now()) } };
}

async function redrive(ctx: CommandContext, topic: string, opts: { offset?: string[]; all?: boolean; errorCode?: string; to?: string }): Promise<void> {
  if (!opts.all && !opts.offset && !opts.errorCode) throw new UsageError('Choose the records to redrive: --offset <partition@offset> (repeatable), --error-code <code> or --all', { option: 'offset' });
  const wanted = new Set(opts.offset?.map((o) => (/^\d+@\d+$/.test(o) ? o : `${o}@bad`)));
  const bad = [...wanted].find((o) => o.endsWith('@bad'));
  if (bad) throw new UsageError(`--offset must be partition@offset, such as 0@12, got "${bad.slice(0, -4)}"`, { option: 'offset' });
  const records = (await readDeadLetters(ctx, topic)).filter((r) => (wanted.size === 0 || wanted.has(`${r.partition}@${r.offset}`)) && (!opts.errorCode || r.headers[DeadLetterHeaders.errorCode]?.toString() === opts.errorCode));
  const missing = [...wanted].filter((o) => !records.some((r) => `${r.partition}@${r.offset}` === o));
  if (missing.length > 0) throw new UsageError(`No dead-lettered record at ${missing.map((o) => `${topic}:${o}`).join(', ')}; nothing was redriven`, { missing });
  const writes = records.map((r) => {
    const target = opts.to ?? r.headers[DeadLetterHeaders.topic]?.toString();
    if (!target) throw new UsageError(`${topic}:${r.partition}@${r.offset} has no ${DeadLetterHeaders.topic} header: give --to <topic>; nothing was redriven`, { offset: r.offset.toString() });
    return { from: r, write: original(r, target) };
  });
  if (writes.length === 0) return;
  const writer = new KafkaWriter(new KafkaClient(ctx.connection()));
  ctx.defer(() => writer.close());
  const results = await writer.write(writes.map((w) => w.write));
  results.forEach((result, i) => {
    const from = writes[i]!.from;
    ctx.output.line({ from: `${from.topic}:${from.partition}@${from.offset}`, to: result.ok ? `${result.topic}:${result.partition}@${result.offset}` : `${result.topic}:${result.partition}`, status: result.ok ? 'ok' : result.outcome }, ['from', 'to', 'status']);
  });
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) throw new TributaryError(ErrorCodes.SEND_FAILED, `${failed} of ${results.length} record(s) were not redriven (their status is printed above)`, { context: { failed } });
}

/** `tributary dlt list|redrive`: dead-lettered records with their error headers, and sending them back. */
export function dltCommand(parent: Command): void {
  const dlt = parent.command('dlt').description('show dead-lettered records and send chosen ones back to their origin topic');

  dlt
    .command('list')
    .description('every record of a dead-letter topic with where it came from and why (its tributary-dlt-* headers)')
    .argument('<dlt-topic>', 'the dead-letter topic, such as orders.DLT')
    .option('--error-code <code>', 'only records dead-lettered with this error code (HANDLER_FAILED, DECODE_FAILED...)')
    .action(
      action(async (ctx, topic: string, opts: { errorCode?: string }) => {
        const rows = (await readDeadLetters(ctx, topic)).map(deadLetterRow).filter((r) => !opts.errorCode || r.errorCode === opts.errorCode);
        ctx.output.table(rows, ctx.output.json ? undefined : ['offset', 'origin', 'errorCode', 'attempts', 'category', 'errorMessage']);
      }),
    );

  dlt
    .command('redrive')
    .description('write chosen dead-lettered records back to their origin topic (key, value and headers as they were, without the dlt headers)')
    .argument('<dlt-topic>', 'the dead-letter topic, such as orders.DLT')
    .option('-o, --offset <partition@offset>', 'a record of the dead-letter topic to redrive, such as 0@12 (repeatable)', collect)
    .option('--error-code <code>', 'every record dead-lettered with this error code')
    .option('--all', 'every record of the dead-letter topic')
    .option('--to <topic>', 'write to this topic instead of each record\'s origin topic')
    .addHelpText('after', '\nThe dead-letter topic is left as it is: run dlt list to see what is there, redrive what is fixed.')
    .action(action((ctx, topic: string, opts: { offset?: string[]; all?: boolean; errorCode?: string; to?: string }) => redrive(ctx, topic, opts)));
}
