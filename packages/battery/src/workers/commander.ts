/**
 * A command sender worker (@tributary/commands): sends `battery-chain` commands, one per write, at RATE per
 * second with at most MAX_IN_FLIGHT unanswered, each with a reference of its own in its body, and records each
 * one's outcome: `ok` with its id and where it landed, or `unknown`.
 */
import { CommandSender } from '@tributary/commands';
import { silentLogger } from '@tributary/kafka';
import { batteryCommands } from './battery-commands.js';
import { pacedSends } from './paced-sends.js';
import { serve, workerEnv } from './worker-env.js';

const env = workerEnv();
const rate = env.numeric('RATE', 30);
const maxInFlight = env.numeric('MAX_IN_FLIGHT', 20);
const sender = new CommandSender({ connection: { brokers: env.brokers, clientId: env.name, logger: silentLogger }, topic: env.setting('TOPIC'), logger: silentLogger });
const { Chain } = batteryCommands();
let running = true;

async function sendOne(ref: string): Promise<void> {
  try {
    const [sent] = await sender.sendMessages([new Chain(ref)]);
    env.history.append({ k: 'command-send', ref, status: 'ok', id: sent!.id, partition: sent!.partition, offset: sent!.offset.toString() });
  } catch {
    env.history.append({ k: 'command-send', ref, status: 'unknown' });
  }
}

env.history.append({ k: 'start' });
const done = pacedSends(rate, maxInFlight, () => running, (n) => sendOne(`${env.name}-${n}`));
serve(env, {
  work: done,
  stop: async () => {
    running = false;
    await done;
    await sender.close();
  },
});
