// Bad inputs to request/response: orphan, duplicate and malformed replies in a requester's inbox partition, and
// malformed session filters. Each stray reply is dropped and counted by reason, the requests around it each end in
// exactly one outcome, and the partition goes on; a malformed filter is refused with its line and column before
// anything is sent, and a request to a good filter after it reaches every matching session once.
//
// Already covered elsewhere, and not repeated here:
// - packages/messaging/test/messaging.kafka.test.ts "sends to a filter...": sessions() with a bad filter names
//   line 2, column 11; and "ends every request in one outcome": handler errors, type mismatches, timeouts;
// - packages/messaging/test/filter/*.test.ts: the filter grammar and its errors, in memory;
// - packages/messaging/test/requests/pending-requests.test.ts: late and duplicate responses told apart, in memory.
// What this adds: the stray replies written into a live inbox partition on the broker, between real requests.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readToEnd } from '@tributary/kafka';
import { MessagingMetricNames, SessionFilterSyntaxError, type Messaging } from '@tributary/messaging';
import { freshPrefix, hub } from '../../../messaging/test/support/messaging.js';
import { until, writeRaw } from './support/records.js';
import { countingRegistry } from './support/metrics.js';

const brokers = inject('kafkaBrokers');

describe('stray replies and malformed filters in request/response', () => {
  let prefix: string;
  let requesterHub: Messaging;
  let responderHub: Messaging;
  const metrics = countingRegistry();

  beforeAll(async () => {
    prefix = await freshPrefix(brokers, 2);
    requesterHub = hub(brokers, prefix, { metrics: { registry: metrics.registry } });
    responderHub = hub(brokers, prefix);
  });
  afterAll(async () => {
    await Promise.all([requesterHub?.close(), responderHub?.close()]);
  });

  it('drops and counts orphan, duplicate and malformed replies; every request around them ends in exactly one outcome', async () => {
    const server = await responderHub.openSession();
    const client = await requesterHub.openSession();
    let handled = 0;
    await server.registerRequestHandler('calc/double', (n: number) => (handled++, { n, doubled: n * 2 }));
    await until('the client sees the handler', () => client.session(server.id)?.registeredPaths.includes('calc/double') ?? false);

    const ask = (from: number, count: number) => Promise.all(Array.from({ length: count }, (_, i) => client.sendRequestToPath<{ n: number; doubled: number }>('calc/double', from + i, { timeout: 20_000 })));
    const first = await ask(0, 5);
    expect(first.map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);

    // A real response from the client's inbox partition, as the responder wrote it.
    const inbox = `${prefix}.inbox`;
    const replies = (await readToEnd({ brokers }, inbox)).filter((r) => r.partition === client.inbox && r.headers['tributary-kind']?.toString() === 'response');
    expect(replies).toHaveLength(5);
    const reply = replies[0]!;
    const headers = { ...reply.headers };
    const stray = [
      // A response sent twice: the requester already has its outcome.
      { partition: client.inbox, key: reply.key, value: reply.value, headers },
      // A response nobody waits for: no request ever had this id.
      { partition: client.inbox, key: reply.key, value: reply.value, headers: { ...headers, 'tributary-request-id': randomUUID() } },
      // Malformed: a response without its type, and a kind that does not exist.
      { partition: client.inbox, key: reply.key, value: reply.value, headers: Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'tributary-type')) },
      { partition: client.inbox, key: reply.key, value: reply.value, headers: { ...headers, 'tributary-kind': 'reply-all' } },
      // Not Tributary's at all (no recipient): skipped on its headers, not counted as this process's.
      { partition: client.inbox, key: null, value: 'hello from another client' },
    ];
    // The stray records go in while requests are in flight, so live requests sit on both sides of them.
    const during = ask(100, 10);
    await writeRaw(brokers, inbox, stray);
    const after = await ask(200, 10);
    const answered = [...first, ...(await during), ...after];
    expect(answered.map((r) => r.n)).toEqual([0, 1, 2, 3, 4, ...Array.from({ length: 10 }, (_, i) => 100 + i), ...Array.from({ length: 10 }, (_, i) => 200 + i)]);
    expect(answered.every((r) => r.doubled === r.n * 2)).toBe(true);
    expect(handled).toBe(25);

    await until('the stray replies counted', async () => (await metrics.sum(MessagingMetricNames.dropped)) >= 4);
    expect(await metrics.values(MessagingMetricNames.dropped, 'reason')).toEqual({ duplicate: 1, late: 1, malformed: 2 });
    expect(await metrics.values(MessagingMetricNames.outcomes, 'outcome')).toEqual({ response: 25 });
    await Promise.all([server.close(), client.close()]);
  });

  it('refuses a malformed session filter with its line and column before sending, and a good filter after it reaches each match once', async () => {
    const members = await Promise.all(['UK', 'FR', 'UK'].map((Country) => responderHub.openSession({ properties: { Country } })));
    for (const m of members) await m.addRequestHandler('notify', (x: number) => ({ from: m.id, x }), { addressed: true });
    const sender = await requesterHub.openSession();
    await until('the sender sees the members', () => members.every((m) => sender.session(m.id)?.addressedPaths.includes('notify')));

    const malformed: Array<[string, number, number]> = [
      ["Country is 'UK' and", 1, 20],
      ["Country is 'UK'\nor (Country in ['FR', ", 2, 23],
      ['Country ~ UK', 1, 9],
      ["Country is 'UK", 1, 15],
    ];
    const seen: string[] = [];
    for (const [filter, line, column] of malformed) {
      const refusals = [
        await sender.sendRequestToFilter(filter, 'notify', 1, { onResponse: () => seen.push(filter) }).catch((e: unknown) => e),
        await sender.gatherRequestToFilter(filter, 'notify', 1).catch((e: unknown) => e),
        (() => { try { sender.addFilterResponseHandler(filter, () => seen.push(filter)); } catch (e) { return e; } })(),
      ];
      for (const error of refusals) {
        expect(error, filter).toBeInstanceOf(SessionFilterSyntaxError);
        expect(error, filter).toMatchObject({ code: 'INVALID_ARGUMENT', line, column, context: { filter } });
        expect((error as Error).message, filter).toMatch(new RegExp(`^Session filter syntax error at line ${line}, column ${column}: expected .+, found .+`));
      }
    }
    const gathered = await sender.gatherRequestToFilter("Country is 'UK'", 'notify', 7, { timeout: 20_000 });
    expect(gathered).toMatchObject({ expected: 2, partial: false, errors: [] });
    expect(gathered.responses.map((r) => r.sessionId).sort()).toEqual(members.filter((m) => m.properties.Country === 'UK').map((m) => m.id).sort());
    expect(seen).toEqual([]);
    await Promise.all([...members, sender].map((s) => s.close()));
  });
});
