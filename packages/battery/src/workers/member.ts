/**
 * A consumer group member worker: a ConsumerGroup whose one handler records each delivery (first attempt), waits a
 * little as real work would, and fails for good on poison records (ids ending in `POISON_SUFFIX`), which the group
 * must dead-letter. Assignments and the commits the coordinator accepted (from the group's own debug log) are
 * recorded too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsumerGroup, type ConsumerLogger } from '@tributary/consumer';
import { assignmentHistory } from './group-history.js';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const topic = env.setting('TOPIC');
const member = env.name;
const handlerDelayMs = env.numeric('HANDLER_DELAY_MS', 2);
const poisonSuffix = env.setting('POISON_SUFFIX', '');
const attempts = 2;
const logFile = join(env.setting('HISTORY'), `${member}.log`);
const assignments = assignmentHistory(env.history, member);

/** The group's debug line "committed" lists `topic:partition@offset` for each commit the coordinator accepted. */
function onLog(level: string, obj: Record<string, unknown>, msg: string): void {
  if (msg === 'committed' && Array.isArray(obj.offsets)) {
    for (const text of obj.offsets as string[]) {
      const at = text.lastIndexOf('@');
      const colon = text.lastIndexOf(':', at);
      env.history.append({ k: 'commit', member, topic: text.slice(0, colon), partition: Number(text.slice(colon + 1, at)), offset: text.slice(at + 1), ...(typeof obj.sentAt === 'number' ? { sentAt: obj.sentAt } : {}) });
    }
    return;
  }
  if (level !== 'debug') appendFileSync(logFile, `${JSON.stringify({ t: Date.now(), level, msg, ...obj }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
}
const logger: ConsumerLogger = {
  debug: (obj, msg) => onLog('debug', obj, msg),
  info: (obj, msg) => onLog('info', obj, msg),
  warn: (obj, msg) => onLog('warn', obj, msg),
  error: (obj, msg) => onLog('error', obj, msg),
};

const sessionTimeoutMs = env.numeric('SESSION_TIMEOUT_MS', 10_000);
const group = new ConsumerGroup({
  brokers: env.brokers,
  clientId: member,
  groupId: env.setting('GROUP'),
  topics: [topic],
  sessionTimeoutMs,
  heartbeatIntervalMs: Math.floor(sessionTimeoutMs / 5),
  rebalanceTimeoutMs: env.numeric('REBALANCE_TIMEOUT_MS', 20_000),
  commitIntervalMs: env.numeric('COMMIT_INTERVAL_MS', 500),
  retry: { attempts, initialDelayMs: 10 },
  logger,
  onPartitionsAssigned: (partitions) => assignments.onPartitionsAssigned(partitions),
  onPartitionsRevoked: (partitions) => assignments.onPartitionsRevoked(partitions),
  handlers: {
    '#': async (event, context) => {
      const id = event.key;
      const at = event.offset!;
      if (context.attempt === 1) env.history.append({ k: 'deliver', member, gen: assignments.gen, topic: at.topic, partition: at.partition, offset: at.offset.toString(), id });
      if (handlerDelayMs > 0) await sleep(Math.random() * handlerDelayMs);
      if (poisonSuffix !== '' && id.endsWith(poisonSuffix)) {
        if (context.attempt >= attempts) env.history.append({ k: 'dead-letter', member, topic: at.topic, partition: at.partition, offset: at.offset.toString(), id });
        throw new Error(`poison record ${id}`);
      }
    },
  },
});

env.history.append({ k: 'start' });
const started = group.start();
serve(env, { ready: started, work: started, stop: () => group.stop() });
