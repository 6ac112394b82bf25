import { randomBytes } from 'node:crypto';
import { benchKafka } from './raw-kafkajs.js';

/** What a raw kafkajs pass over a commands topic measured, on the same basis as a processor run. */
export interface RawCommandsRun {
  /** From the connect() call (connect, group join) to the last record handled. */
  seconds: number;
  /** From the group join (kafkajs' GROUP_JOIN) to the last record handled. */
  afterJoinSeconds: number;
  /** This process's CPU seconds over `seconds`. */
  cpu: number;
}

/**
 * The anchor of the processor's throughput: a raw kafkajs consumer in a fresh group reads `count` command
 * records of `topic` from the beginning and does the per-message work a command processor must do at least:
 * decode the JSON envelope, look at its type, and mark the offset done; offsets are committed after each batch
 * (kafkajs' default with no commit interval or threshold), as a competent user would leave it.
 */
export async function consumeCommandsRaw(brokers: string[], topic: string, count: number, timeoutMs: number): Promise<RawCommandsRun> {
  const consumer = benchKafka(brokers).consumer({ groupId: `bench-commands-raw-${randomBytes(4).toString('hex')}`, maxBytes: 10 * 1024 * 1024 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  let joinedAt = started;
  consumer.on(consumer.events.GROUP_JOIN, () => void (joinedAt = performance.now()));
  let handled = 0;
  let echoes = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw kafkajs handled ${handled} of ${count} command records of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            for (const m of batch.messages) {
              const envelope = JSON.parse(m.value!.toString('utf8')) as { type?: string };
              if (envelope.type === 'echo') echoes++;
              resolveOffset(m.offset);
              handled++;
            }
            await heartbeat();
            if (handled >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    const ended = performance.now();
    if (echoes !== count) throw new Error(`raw kafkajs decoded ${echoes} echo envelopes among ${handled} records of ${topic}, expected ${count}`);
    const used = process.cpuUsage(cpu);
    return { seconds: (ended - started) / 1000, afterJoinSeconds: (ended - joinedAt) / 1000, cpu: (used.user + used.system) / 1e6 };
  } finally {
    await consumer.disconnect();
  }
}
