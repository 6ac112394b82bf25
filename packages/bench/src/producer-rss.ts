import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import type { Figure } from './figures.js';
import type { RssSenderSettings } from './producer-rss-sender.js';
import { createTopic } from './topics.js';

const ENTRY = fileURLToPath(new URL('./producer-rss-sender.ts', import.meta.url));

/** What the sending process reported at one mark. */
export interface RssMark {
  sent: number;
  seconds: number;
  peakMiB: number;
  rssMiB: number;
  heapMiB: number;
}

/** Run producer-rss-sender.ts in a process of its own (from source, as the benchmark runs) and collect its marks. */
export function runRssSender(settings: RssSenderSettings, onMark: (mark: RssMark) => void = () => {}): Promise<RssMark[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', ENTRY, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const marks: RssMark[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const mark = JSON.parse(line) as RssMark;
      marks.push(mark);
      onMark(mark);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(marks) : reject(new Error(`the sending process exited (${signal ?? code}) after ${marks.at(-1)?.sent ?? 0} events`))));
  });
}

/**
 * Peak RSS of a process that does nothing but send 10,000,000 (times the scale) 100 B events through send(), at a
 * tenth, half and all of them: the issue asks that it stay flat.
 */
export async function producerRssOverEvents(ctx: BenchContext): Promise<Figure> {
  const count = Math.round(10_000_000 * ctx.scale);
  const marks = [0.1, 0.5, 1].map((f) => Math.round(count * f));
  const topic = await createTopic(ctx, 'bench-send-rss');
  ctx.log(`producer: peak RSS of a process sending ${count} x 100 B through send()`);
  const seen = await runRssSender({ brokers: ctx.brokers, topic, count, size: 100, marks }, (m) =>
    ctx.log(`producer: ${m.sent} sent in ${m.seconds.toFixed(0)} s, peak RSS ${m.peakMiB.toFixed(1)} MiB, heap ${m.heapMiB.toFixed(1)} MiB`),
  );
  const [first, , last] = seen;
  return {
    suite: 'producer',
    name: `peak RSS over ${count.toLocaleString('en-US')} send() events`,
    value: last!.peakMiB,
    unit: 'MiB',
    anchors: [{ name: `peak RSS at ${first!.sent.toLocaleString('en-US')} events`, value: first!.peakMiB }],
    notes: `a process of its own sending 100 B JSON events 1000 per send(), each awaited, RSS sampled every 50 ms; peak at ${seen.map((m) => `${m.sent.toLocaleString('en-US')}: ${m.peakMiB.toFixed(1)} MiB`).join(', ')} (${(last!.sent / last!.seconds).toFixed(0)} events/s)`,
  };
}
