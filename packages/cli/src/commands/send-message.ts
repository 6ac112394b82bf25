import { Option, type Command } from 'commander';
import { action, integerArg, type CommandContext } from '../cli/program.js';

interface SendMessageOptions {
  topic: string;
  type: string;
  body?: string;
  count: number;
  correlationId?: string;
}

/** The body flag: JSON when it parses, else the text as the message (`-b hello` is `{"message":"hello"}`). */
function body(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

async function sendMessage(ctx: CommandContext, o: SendMessageOptions): Promise<void> {
  // Loaded here, so the other commands do not pay for the commands package at start.
  const { CommandSender, MessageRegistry, addBuiltinMessageTypes } = await import('@tributary/commands');
  const registry = addBuiltinMessageTypes(new MessageRegistry());
  const value = body(o.body);
  const messages = Array.from({ length: o.count }, () => registry.fromJSON(o.type, value));
  const sender = new CommandSender({ connection: ctx.connection(), topic: o.topic });
  ctx.defer(() => sender.close());
  const sent = await sender.sendMessages(messages, o.correlationId ? { correlationId: o.correlationId } : {});
  for (const s of sent) ctx.output.line({ id: s.id, type: s.type, offset: `${o.topic}:${s.partition}@${s.offset}` }, ['offset', 'type', 'id']);
}

/** `tributary send-message -t TYPE -b BODY -c COUNT`: Scale's command, through the commands package's CommandSender. */
export function sendMessageCommand(parent: Command): void {
  parent
    .command('send-message')
    .description("send command messages (Scale's send-message) for a CommandProcessor to run, printing each one's id and offset")
    .requiredOption('-t, --type <type>', 'the message type: echo, chain or fail (the built-in types)')
    .option('-b, --body <body>', 'the body: JSON, or text taken as {"message": text}')
    .addOption(new Option('-c, --count <count>', 'how many messages, each with its own id').argParser(integerArg(1)).default(1))
    .addOption(new Option('--topic <topic>', 'the commands topic (it must exist)').default('commands'))
    .option('--correlation-id <id>', 'one correlation id for all (default: each its own)')
    .addHelpText('after', `\nExample:\n  tributary send-message -t chain -b hello -c 3 --topic commands`)
    .action(action((ctx, o: SendMessageOptions) => sendMessage(ctx, o)));
}
