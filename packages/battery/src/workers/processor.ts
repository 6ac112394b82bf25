/**
 * A command processor worker (@tributary/commands): a CommandProcessor in group GROUP on TOPIC, with the Kafka
 * dedupe store and transactions under TRANSACTIONAL_ID (a processor started in a killed one's place takes its id,
 * so the killed one's open transaction is aborted and it is fenced). Each execution of a battery command records
 * itself (the command's effect), and each assignment is recorded, as a group member's is.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandProcessor, MessageRegistry } from '@tributary/commands';
import { silentLogger, type Logger } from '@tributary/kafka';
import { batteryCommands } from './battery-commands.js';
import { assignmentHistory } from './group-history.js';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const processorName = env.name;
const { Chain, Effect } = batteryCommands(({ id, type, ref }) => env.history.append({ k: 'command-run', processor: processorName, id, type, ref }), env.numeric('WORK_MS', 5));
const registry = new MessageRegistry({ logger: silentLogger });
registry.addMessageType(Chain);
registry.addMessageType(Effect);
const assignments = assignmentHistory(env.history, processorName);
const sessionTimeoutMs = env.numeric('SESSION_TIMEOUT_MS', 6000);

/** Warnings, errors and the group's commits (its transactions) to `<name>.log` beside the history, for a reader of a finding. */
const logFile = join(env.setting('HISTORY'), `${processorName}.log`);
const toFile = (level: string) => (obj: Record<string, unknown>, msg: string) => {
  if (level === 'debug' && msg !== 'committed') return;
  appendFileSync(logFile, `${JSON.stringify({ t: Date.now(), level, msg, ...obj }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
};
const logger: Logger = { debug: toFile('debug'), info: toFile('info'), warn: toFile('warn'), error: toFile('error') };

const processor = new CommandProcessor({
  connection: { brokers: env.brokers, clientId: env.name, logger },
  groupId: env.setting('GROUP'),
  topic: env.setting('TOPIC'),
  registry,
  logger,
  dedupe: 'kafka',
  transactions: { transactionalId: env.setting('TRANSACTIONAL_ID') },
  group: {
    sessionTimeoutMs,
    heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 5),
    commitIntervalMs: env.numeric('COMMIT_INTERVAL_MS', 200),
    onPartitionsAssigned: (partitions) => assignments.onPartitionsAssigned(partitions),
    onPartitionsRevoked: (partitions) => assignments.onPartitionsRevoked(partitions),
  },
});

env.history.append({ k: 'start' });
const started = processor.start();
serve(env, { ready: started, work: started, stop: () => processor.stop() });
