/**
 * One responder of the round-trip benchmark, as a process of its own, as responders are deployed: started by
 * {@link spawnResponders} with its settings as a JSON argument, it tells its parent on stdout (one JSON line per
 * fact) when it answers (`{"ready":true}`) and, for the kafkajs anchor, how many request partitions each join gave
 * it (`{"assigned":n}`); SIGTERM closes it (a Tributary session writes its tombstone) and ends the process.
 */
import { createMessaging } from '@tributary/messaging';
import { startRawResponder, type RawPingPongOptions } from './raw-kafkajs-ping-pong.js';
import { ECHO_PATH } from './tributary-round-trip.js';

export type ResponderSettings = { kind: 'tributary'; brokers: string[]; prefix: string } | ({ kind: 'kafkajs'; groupId: string } & RawPingPongOptions);

const tell = (fact: object) => process.stdout.write(`${JSON.stringify(fact)}\n`);

async function main(settings: ResponderSettings): Promise<() => Promise<void>> {
  if (settings.kind === 'tributary') {
    const m = createMessaging({ connection: { brokers: settings.brokers }, prefix: settings.prefix });
    const session = await m.openSession({ properties: { role: 'responder' } });
    await session.registerRequestHandler(ECHO_PATH, async (request) => request, { requestType: 'json', responseType: 'json' });
    return () => m.close();
  }
  return startRawResponder(settings, settings.groupId, (assigned) => tell({ assigned }));
}

const close = await main(JSON.parse(process.argv[2]!) as ResponderSettings);
tell({ ready: true });
let closing = false;
process.on('SIGTERM', () => {
  if (closing) return;
  closing = true;
  void close().finally(() => process.exit(0));
});
