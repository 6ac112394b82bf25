// A job's progress as a keyed stream: a listener that joins late gets the header, then every later message;
// a client in another process (any language) follows the same stream through the JSON-lines gateway.
import { randomUUID } from 'node:crypto';
import { RemoteStream, createStreamGateway, createStreams, ensureStreamTopics, type StreamDelivery } from '@tributary/streams';

const connection = { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') };
const prefix = `guide-streams-${randomUUID().slice(0, 8)}`; // default: tributary.streams

await ensureStreamTopics(connection, { prefix, partitions: 4 }); // <prefix>.log and the compacted <prefix>.index
await using streams = createStreams({ connection, prefix });
const job = `job-${randomUUID().slice(0, 8)}`;

await streams.setHeader(job, { status: 'running', step: 0 });
await streams.put(job, { step: 1 });
await streams.setHeader(job, { status: 'running', step: 1 }); // a late listener starts here

// In process: a listener is anything with put(delivery).
const seen: string[] = [];
let closed!: () => void;
const done = new Promise<void>((resolve) => (closed = resolve));
await streams.listen(job, {
  put(d: StreamDelivery) {
    seen.push(d.action === 'close' ? 'close' : `${d.action} ${JSON.stringify(d.message)}`);
    if (d.action === 'close') closed();
  },
});

// Over TCP: the gateway serves the same streams; RemoteStream is its Node client (port 0: a free port).
await using gateway = createStreamGateway(streams, { port: 0 });
const address = await gateway.listen();
await using remote = await RemoteStream.connect(address);
const subscription = await remote.listen(job);

await streams.put(job, { step: 2 });
await remote.put(job, { step: 3 }); // a remote client may publish too
await streams.close(job);

const remoteSeen: string[] = [];
for await (const d of subscription) remoteSeen.push(d.action === 'close' ? 'close' : `${d.action} ${JSON.stringify(d.message)}`);
await done;
console.log(`listener: ${seen.join(' | ')}`);
console.log(`remote:   ${remoteSeen.join(' | ')}`);
