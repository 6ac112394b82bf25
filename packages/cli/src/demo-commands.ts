/**
 * The demo's command part: Scale's command messages on Kafka. A `chain` command runs in a processor (a consumer
 * group) and leads to an `echo` follow-up that carries its correlation id; a `fail` command is retried, then
 * dead-lettered with its reason.
 */
import { ensureTopics, readToEnd, silentLogger } from '@tributary/kafka';
import { DeadLetterHeaders } from '@tributary/consumer';
import { ChainCommandMessage, CommandProcessor, CommandSender, EchoCommandMessage, FailCommandMessage, followUpId } from '@tributary/commands';

export async function commandsOnKafka(brokers: string[], prefix: string): Promise<void> {
  const topic = `${prefix}.commands`;
  await ensureTopics({ brokers }, [{ topic, partitions: 2 }, { topic: `${topic}.DLT`, partitions: 1 }]);
  await using sender = new CommandSender({ connection: { brokers, clientId: 'tributary-demo' }, topic });
  const [chain, , fail] = await sender.sendMessages([new ChainCommandMessage('hello from a chain'), new EchoCommandMessage('a plain echo'), new FailCommandMessage()]);
  console.log(`\nSent three command messages to "${topic}": chain ${chain!.id.slice(0, 8)}…, echo, fail ${fail!.id.slice(0, 8)}….`);
  const ran: string[] = [];
  const logger = { ...silentLogger, info: (o: Record<string, unknown>, m: string) => m === 'echo' && ran.push(`echo ${JSON.stringify(o.message)} (${String(o.id).slice(0, 8)}…)`) };
  await using processor = new CommandProcessor({ connection: { brokers, clientId: 'tributary-demo', logger: silentLogger }, groupId: `${prefix}-processors`, topic, logger, dedupe: 'memory', retry: { attempts: 3, initialDelayMs: 50 } });
  await processor.start();
  for (const deadline = Date.now() + 60_000; (processor.counters.executed < 3 || (await readToEnd({ brokers }, `${topic}.DLT`)).length === 0) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  console.log(`A processor ran ${processor.counters.executed} of them (the chain's echo follow-up included):`);
  for (const line of ran) console.log(`  ${line}`);
  console.log(`  the chain's follow-up has id ${followUpId(chain!.id, 0).slice(0, 8)}…, derived from the chain's, and its correlation id`);
  const [dead] = await readToEnd({ brokers }, `${topic}.DLT`);
  const reason = dead?.headers[DeadLetterHeaders.errorMessage]?.toString();
  console.log(`The fail command failed ${processor.counters.failures} times, then went to "${topic}.DLT"${reason ? `: ${reason}` : ''}.`);
}
