import { createServer } from 'node:net';
import { KafkaRuntimeError } from '../errors.js';

/** Ask the OS for a port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Check that `port` can be bound on 127.0.0.1.
 * @throws KafkaRuntimeError `port-in-use` naming the port and what wanted it.
 */
export function assertPortFree(port: number, purpose: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (cause: NodeJS.ErrnoException) =>
      reject(new KafkaRuntimeError('port-in-use', `Port ${port} (${purpose}) is already in use on 127.0.0.1; choose another port or leave it unset to get a free one.`, { port, purpose }, cause)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
