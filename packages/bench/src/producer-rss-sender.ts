/**
 * A process that only sends: `count` events of `size` bytes through the kafka plugin's send(), 1000 at a time,
 * each send awaited, while its RSS is sampled every 50 ms. At each of `marks` events it prints one JSON line
 * `{ sent, seconds, peakMiB, rssMiB, heapMiB }` (the peak since the start), so the memory of the producer
 * alone is seen, apart from the benchmark harness. Run by producer-rss.ts; its argument is the JSON of
 * {@link RssSenderSettings}.
 */
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { makeEvents } from './events.js';

export interface RssSenderSettings {
  brokers: string[];
  topic: string;
  count: number;
  size: number;
  marks: number[];
}

const BATCH = 1000;
const MiB = 1024 * 1024;

async function main(settings: RssSenderSettings): Promise<void> {
  await using plugin = new KafkaProducerPlugin({ topic: settings.topic, brokers: settings.brokers });
  await plugin.open();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const marks = [...settings.marks].sort((a, b) => a - b);
  const started = process.hrtime.bigint();
  try {
    for (let sent = 0; sent < settings.count; ) {
      const n = Math.min(BATCH, settings.count - sent);
      await plugin.send(makeEvents(n, settings.size, sent));
      sent += n;
      while (marks.length > 0 && sent >= marks[0]!) {
        marks.shift();
        const rss = process.memoryUsage.rss();
        peak = Math.max(peak, rss);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        console.log(JSON.stringify({ sent, seconds, peakMiB: peak / MiB, rssMiB: rss / MiB, heapMiB: process.memoryUsage().heapUsed / MiB }));
      }
    }
  } finally {
    clearInterval(sampler);
  }
}

main(JSON.parse(process.argv[2]!) as RssSenderSettings).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
