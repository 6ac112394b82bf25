// Sessions on Kafka: a request to a path, to one session, and to every session a filter matches.
import { randomUUID } from 'node:crypto';
import { ALL_USER_PROPERTIES, NoHandlerError, createMessaging, ensureMessagingTopics } from '@tributary/messaging';

const connection = { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') };
const prefix = `guide-messaging-${randomUUID().slice(0, 8)}`; // default: tributary.messaging

await ensureMessagingTopics(connection, { prefix, inboxPartitions: 4 }); // <prefix>.sessions and <prefix>.inbox
await using messaging = createMessaging({ connection, prefix });

// Two pricing sessions register the same path: requests to it are balanced between them.
for (const region of ['UK', 'FR']) {
  const pricing = await messaging.openSession({ properties: { Role: 'pricing', Region: region } });
  await pricing.registerRequestHandler('prices/quote', (req: { sku: string }, ctx) => ({ sku: req.sku, price: region === 'UK' ? 12 : 14, region, for: ctx.properties.Team }), {
    sessionProperties: [ALL_USER_PROPERTIES], // the caller's own properties reach the handler
  });
  await pricing.addRequestHandler('status', () => ({ region, ok: true }), { addressed: true }); // for session and filter requests
}

const client = await messaging.openSession({ properties: { Team: 'web' } });
const quote = await client.sendRequestToPath<{ price: number; region: string; for: string }>('prices/quote', { sku: 'A-1' }, { timeout: 5000 });
console.log(`quote: ${quote.price} from ${quote.region} for team ${quote.for}`);

// Every session sees every other one, with its properties.
const uk = messaging.sessions().find((s) => s.properties.Region === 'UK')!;
const status = await client.sendRequestToSession<{ region: string }>('status', uk.id, null, { timeout: 5000 });
console.log(`status of one session: ${status.region}`);

const gathered = await client.gatherRequestToFilter("Role is 'pricing' and Region in ['UK', 'FR']", 'status', null, { timeout: 5000 });
console.log(`filter: ${gathered.responses.length} of ${gathered.expected} pricing sessions answered`);

// Every request ends in exactly one outcome, never a hang.
const missing = await client.sendRequestToPath('stock/levels', {}).catch((error: unknown) => error);
console.log(`no handler: ${missing instanceof NoHandlerError ? missing.code : String(missing)}`);
