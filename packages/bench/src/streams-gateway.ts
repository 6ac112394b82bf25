import { createStreamGateway, RemoteStream, type Streams } from '@tributary/streams';
import { countingListener } from './tributary-streams.js';

/** What one fan-out through the gateway measured. */
export interface FanOutResult {
  /** Deliveries received across the clients. */
  deliveries: number;
  /** From the first client's `listen` to the last delivery. */
  seconds: number;
}

/**
 * Fan a stream out through a stream gateway in front of `hub` to `clients` RemoteStream clients, each on a
 * connection of its own and listening from the header: resolves when every client has received `records`
 * deliveries (the header and the puts after it). The gateway, its hub and the clients share this process.
 */
export async function fanOut(hub: Streams, stream: string, clients: number, records: number, timeoutMs: number): Promise<FanOutResult> {
  const gateway = createStreamGateway(hub);
  const { port } = await gateway.listen();
  const remotes: RemoteStream[] = [];
  try {
    for (let i = 0; i < clients; i++) remotes.push(await RemoteStream.connect({ port }));
    const expected = clients * records;
    const started = performance.now();
    // Counting starts before the listens: a client may receive deliveries before the others' listens are answered.
    const { listener, received } = countingListener(expected, timeoutMs);
    await Promise.all(remotes.map((r) => r.listen(stream, listener)));
    await received;
    return { deliveries: expected, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.allSettled(remotes.map((r) => r.disconnect()));
    await gateway.close();
  }
}
