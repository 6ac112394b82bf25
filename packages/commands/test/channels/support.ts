import { silentLogger } from '@tributary/kafka';
import { MemoryLogTransport } from '@tributary/messaging';
import { createChannelLayer, type ChannelLayer } from '../../src/channels/channel-layer.js';
import type { ChannelLayerOptions } from '../../src/channels/options.js';

/** Channel layers on one memory log, as processes on one cluster; `close()` closes every one made. */
export function memoryLayers(defaults: Partial<ChannelLayerOptions> = {}) {
  const transport = new MemoryLogTransport();
  const made: ChannelLayer[] = [];
  return {
    transport,
    layer(options: Partial<ChannelLayerOptions> = {}): ChannelLayer {
      const layer = createChannelLayer({ transport, logger: silentLogger, messaging: { heartbeatMs: 50, sessionTimeoutMs: 500 }, ...defaults, ...options });
      made.push(layer);
      return layer;
    },
    async close(): Promise<void> {
      await Promise.all(made.splice(0).map((l) => l.close()));
    },
  };
}

/** Settle within `ms`, or fail the test naming what did not settle. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.finally(() => clearTimeout(timer)), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)))]);
}

export async function until(probe: () => boolean | undefined | Promise<boolean | undefined>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
