import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { Event } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';

const brokers = inject('kafkaBrokers');
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** The README's TypeScript examples, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * Run one example as a user would: its own process, from source, against the test broker, with the topic and
 * group names made unique. What it leaves undefined (the user's handlers) is declared first.
 */
function run(example: string, names: Record<string, string>, prelude = ''): { status: number | null; out: string } {
  let code = example.replaceAll("'127.0.0.1:9092'", brokers.map((b) => `'${b}'`).join(', '));
  for (const [from, to] of Object.entries(names)) code = code.replaceAll(from, to);
  const file = join(here, `.readme-example-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(file, `${prelude}\n${code}\nprocess.exit(0);\n`);
  try {
    const result = spawnSync(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: 90_000 });
    return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
  } finally {
    rmSync(file, { force: true });
  }
}

describe("the README's examples", () => {
  it('run as written against a real broker', async () => {
    const [producing = '', consuming = ''] = readmeExamples();
    expect(producing).toContain('KafkaProducerPlugin');
    expect(consuming).toContain('ConsumerGroup');
    const suffix = randomBytes(4).toString('hex');
    const topic = `orders-${suffix}`;
    // Word-bounded: 'orders' in a topic or position, not in 'order.placed'.
    const names = { "'orders'": `'${topic}'`, "'orders.DLT'": `'${topic}.DLT'`, 'orders:': `${topic}:`, "'billing'": `'billing-${suffix}'` };

    const produced = run(producing, names);
    expect(produced.out).toMatch(new RegExp(`${topic}:\\d@0`));
    expect(produced.status).toBe(0);

    // The consuming example starts at orders:0@42 and orders:1@17, and replays from orders:0@42: the topic needs
    // at least that many events in those partitions.
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    for (let round = 0; round < 5; round++) {
      await plugin.send(Array.from({ length: 100 }, (_, i) => Event.create({ category: i % 2 ? 'order.placed' : 'order.shipped', key: `order-${round}-${i}`, payload: { i } })));
    }
    const consumed = run(consuming, names, 'const handlePlaced = () => {};\nconst audit = () => {};');
    expect(consumed.out).not.toMatch(/"level":50|Error:/);
    expect(consumed.status).toBe(0);
  }, 240_000);

  it('request/response runs as written against a real broker', () => {
    const messaging = readmeExamples()[2] ?? '';
    expect(messaging).toContain('createMessaging');
    const prefix = `readme-${randomBytes(4).toString('hex')}`;
    const ran = run(messaging.replace('await ensureMessagingTopics(connection);', `await ensureMessagingTopics(connection, { prefix: '${prefix}' });`).replace('createMessaging({ connection })', `createMessaging({ connection, prefix: '${prefix}' })`), {});
    expect(ran.out).toContain("{ sku: 'A-1', price: 12, for: 'web' } { ok: true } 1 of 1 pricing sessions answered");
    expect(ran.out).not.toMatch(/"level":50|Error:/);
    expect(ran.status).toBe(0);
  }, 120_000);

  it('streams run as written against a real broker', () => {
    const streams = readmeExamples()[3] ?? '';
    expect(streams).toContain('createStreams');
    const prefix = `readme-${randomBytes(4).toString('hex')}`;
    const ran = run(streams.replace('await ensureStreamTopics(connection);', `await ensureStreamTopics(connection, { prefix: '${prefix}' });`).replace('createStreams({ connection })', `createStreams({ connection, prefix: '${prefix}' })`), {});
    expect(ran.out).toContain("[ { status: 'running', step: 3 }, { step: 4 }, { step: 5 }, 'close' ] true");
    expect(ran.out).not.toMatch(/"level":50|Error:/);
    expect(ran.status).toBe(0);
  }, 120_000);

  it('command messages run as written against a real broker', () => {
    const commands = readmeExamples()[4] ?? '';
    expect(commands).toContain('CommandProcessor');
    const suffix = randomBytes(4).toString('hex');
    const ran = run(commands, { "'commands'": `'commands-${suffix}'`, "'commands.DLT'": `'commands-${suffix}.DLT'`, "'workers'": `'workers-${suffix}'` });
    expect(ran.out).toMatch(/ran chain [0-9a-f-]{36} and its follow-up/);
    expect(ran.out).not.toMatch(/"level":50|Error:/);
    expect(ran.status).toBe(0);
  }, 120_000);
});
