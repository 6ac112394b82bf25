import { silentLogger } from '@tributary/kafka';
import { createMessaging, type Messaging, type MessagingSession } from '@tributary/messaging';
import { memoryLayers } from '../channels/support.js';
import { openSignallingClient, type SignallingClient } from '../../src/signalling/signalling-client.js';
import { openSignallingServer, type SignallingServer } from '../../src/signalling/signalling-server.js';
import type { SignallingClientOptions, SignallingServerOptions } from '../../src/signalling/options.js';

/** Layers, signalling servers and clients on one memory log; `close()` closes all (clients, servers, then layers). */
export function memorySignalling() {
  const layers = memoryLayers();
  const servers: SignallingServer[] = [];
  const clients: SignallingClient[] = [];
  const hubs: Messaging[] = [];
  return {
    layers,
    hub(): Messaging {
      const hub = createMessaging({ transport: layers.transport, logger: silentLogger, heartbeatMs: 50, sessionTimeoutMs: 2000 });
      hubs.push(hub);
      return hub;
    },
    async server(options: Partial<SignallingServerOptions> = {}): Promise<SignallingServer> {
      const server = await openSignallingServer({ transport: layers.transport, logger: silentLogger, messaging: { heartbeatMs: 50, sessionTimeoutMs: 2000 }, keepaliveMs: 100, ...options });
      servers.push(server);
      return server;
    },
    async client(options: Partial<SignallingClientOptions> = {}): Promise<SignallingClient> {
      const client = await openSignallingClient({ logger: silentLogger, keepaliveMs: 100, ...(options.messaging ? {} : { layer: options.layer ?? layers.layer() }), ...options });
      clients.push(client);
      return client;
    },
    async close(): Promise<void> {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(servers.splice(0).map((s) => s.close()));
      await layers.close();
      await Promise.all(hubs.splice(0).map((h) => h.close()));
    },
  };
}

/** A signalling message as a raw session sends it, to look at the wire. */
export function raw(session: MessagingSession, message: unknown, timeout = 2000): Promise<{ id: string; command: string; properties: Record<string, unknown> }> {
  return session.sendRequestToPath('tributary/signalling', message, { timeout });
}
