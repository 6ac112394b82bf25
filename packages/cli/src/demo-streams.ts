/**
 * The demo's stream part: a job publishes its progress as a keyed stream (a header with its status, then a
 * message per step); a listener that joins late receives the current header first, then every later step in
 * order, with no gap, until the job closes the stream.
 */
import { createStreams, ensureStreamTopics, type StreamDelivery } from '@tributary/streams';

export async function streamOnKafka(brokers: string[], prefix: string): Promise<void> {
  await ensureStreamTopics({ brokers }, { prefix, partitions: 4 });
  await using job = createStreams({ connection: { brokers, clientId: 'tributary-demo-job' }, prefix });
  await using watcher = createStreams({ connection: { brokers, clientId: 'tributary-demo-watcher' }, prefix });
  const stream = 'job-7';
  await job.setHeader(stream, { status: 'running', step: 0, of: 10 });
  for (let step = 1; step <= 4; step++) await job.put(stream, { step, note: `step ${step} done` });
  await job.setHeader(stream, { status: 'running', step: 4, of: 10 });
  for (let step = 5; step <= 6; step++) await job.put(stream, { step, note: `step ${step} done` });

  console.log(`\nA job published stream "${stream}" on "${prefix}.log": a header, 6 steps, a header update after step 4.`);
  console.log('A listener joins late; it gets the current header first, then every later step:');
  const got: StreamDelivery[] = [];
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const started = performance.now();
  await watcher.listen(stream, {
    put(d) {
      got.push(d);
      const at = `${(performance.now() - started).toFixed(1).padStart(6)} ms`;
      if (d.action === 'close') {
        console.log(`  ${at}  close`);
        closed();
      } else console.log(`  ${at}  ${d.action.padEnd(6)} ${JSON.stringify(d.message)}  (offset ${d.position.offset})`);
    },
  });
  for (let step = 7; step <= 10; step++) await job.put(stream, { step, note: `step ${step} done` });
  await job.close(stream);
  await done;
  const steps = got.filter((d) => d.action === 'put').map((d) => (d.message as { step: number }).step);
  console.log(`The late listener saw steps ${steps.join(', ')}: everything after the header it joined at, nothing twice.`);
}
