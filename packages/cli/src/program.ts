import type { Command } from 'commander';
import { createRoot } from './cli/program.js';
import { benchCommand } from './commands/bench.js';
import { consumeCommand } from './commands/consume.js';
import { dltCommand } from './commands/dlt.js';
import { gatewayCommand } from './commands/gateway.js';
import { groupsCommand } from './commands/groups.js';
import { kafkaCommand } from './commands/kafka.js';
import { messagingCommands } from './commands/messaging.js';
import { produceCommand } from './commands/produce.js';
import { replayCommand } from './commands/replay.js';
import { sendMessageCommand } from './commands/send-message.js';
import { streamCommand } from './commands/stream.js';
import { topicsCommand } from './commands/topics.js';

/** The whole `tributary` command tree (the entry point runs it; tests walk it to check every command's help). */
export function createProgram(stderr: NodeJS.WritableStream = process.stderr): Command {
  const program = createRoot(stderr);
  topicsCommand(program);
  produceCommand(program);
  consumeCommand(program);
  replayCommand(program);
  groupsCommand(program);
  dltCommand(program);
  messagingCommands(program);
  streamCommand(program);
  gatewayCommand(program);
  sendMessageCommand(program);
  kafkaCommand(program);
  benchCommand(program);
  return program;
}
