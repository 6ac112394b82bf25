/**
 * The demo's request/response part: two pricing sessions register one path, a client's requests to the path
 * are balanced between them, a request to a session filter reaches every matching session, and a request
 * to a path no one handles ends at once with a typed error.
 */
import { createMessaging, ensureMessagingTopics, NoHandlerError, type MessagingSession } from '@tributary/messaging';

export async function requestsOnKafka(brokers: string[], prefix: string): Promise<void> {
  await ensureMessagingTopics({ brokers }, { prefix, inboxPartitions: 4 });
  await using messaging = createMessaging({ connection: { brokers, clientId: 'tributary-demo' }, prefix });
  const pricing = await Promise.all(['UK', 'FR'].map((Region) => messaging.openSession({ properties: { Role: 'pricing', Region } })));
  for (const session of pricing) {
    const region = session.properties.Region!;
    await session.registerRequestHandler('prices/quote', (req: { sku: string }, ctx) => ({ sku: req.sku, price: region === 'UK' ? 12 : 14, region, for: ctx.properties.Team }), { sessionProperties: ['Team'] });
    await session.addRequestHandler('status', () => ({ region, pending: 0 }), { addressed: true });
  }
  const client = await messaging.openSession({ properties: { Role: 'client', Team: 'web' } });
  console.log(`\nOpened ${messaging.sessions().length} sessions on "${prefix}.sessions": ${describe(pricing)} and a client.`);

  console.log('Requests to the path "prices/quote", balanced between the sessions registered for it:');
  for (const sku of ['A-1', 'B-2', 'C-3', 'D-4']) {
    const started = performance.now();
    const quote = await client.sendRequestToPath<{ sku: string; price: number; region: string; for: string }>('prices/quote', { sku }, { timeout: 5000 });
    console.log(`  ${quote.sku}: ${quote.price} from the ${quote.region} session (asked by team ${quote.for}) in ${(performance.now() - started).toFixed(1)} ms`);
  }

  const filter = "Role is 'pricing' and Region in ['UK', 'FR']";
  const gathered = await client.gatherRequestToFilter(filter, 'status', null, { timeout: 5000 });
  console.log(`A request to the filter ${filter} matched ${gathered.expected} sessions; ${gathered.responses.length} answered:`);
  for (const r of gathered.responses) console.log(`  ${r.sessionId.slice(0, 8)}… ${JSON.stringify(r.response)}`);

  const missing = await client.sendRequestToPath('stock/levels', {}).catch((error: unknown) => error);
  if (missing instanceof NoHandlerError) console.log(`A request to a path no one handles ends at once: ${missing.code}: ${missing.message}`);
}

function describe(sessions: MessagingSession[]): string {
  return sessions.map((s) => `${s.properties.Region} pricing (${s.id.slice(0, 8)}…)`).join(', ');
}
