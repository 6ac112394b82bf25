import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaAdmin } from '@tributary/kafka';
import { freePort, testClient, waitFor, type KafkaCluster } from '@tributary/test-kit';
import { ChaosProxy } from './chaos-proxy.js';

const LISTENER = 'PROXIED';
/** A node's start on a busy two-core machine (three JVMs starting at once) can take minutes. */
export const START_TIMEOUT_MS = 300_000;

/**
 * Route every client connection through a {@link ChaosProxy}: each node gets a second client listener, `PROXIED`,
 * advertised at its proxy's port. Kafka answers metadata with the addresses of the listener a client connected
 * to, so a client that bootstraps through a proxy reaches every broker through the proxies, while replication and
 * the controllers stay on the direct listeners (a network fault then hits the clients, not the cluster's quorum).
 * The launcher takes no per-node listener, so its server.properties are extended here and the nodes restarted
 * together, before any topic exists.
 * @returns the proxies, one per node, and the bootstrap addresses that pass through them.
 */
export async function proxyClientListeners(cluster: KafkaCluster): Promise<{ proxies: ChaosProxy[]; brokers: string[] }> {
  const proxies: ChaosProxy[] = [];
  for (const node of cluster.nodes) {
    const inner = await freePort();
    const proxy = new ChaosProxy(await freePort(), { host: '127.0.0.1', port: inner });
    const file = join(cluster.workDir, `node-${node.nodeId}`, 'server.properties');
    const props = await readFile(file, 'utf8');
    const value = (key: string) => new RegExp(`^${key.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(props)?.[1] ?? '';
    // java.util.Properties keeps the last value of a key: the appended lines win.
    const extra = [
      `listeners=${value('listeners')},${LISTENER}://127.0.0.1:${inner}`,
      `advertised.listeners=${value('advertised.listeners')},${LISTENER}://127.0.0.1:${proxy.port}`,
      `listener.security.protocol.map=${value('listener.security.protocol.map')},${LISTENER}:PLAINTEXT`,
    ];
    await writeFile(file, `${props}${extra.join('\n')}\n`);
    await proxy.start();
    proxies.push(proxy);
  }
  await Promise.all(cluster.nodes.map((n) => n.stop()));
  // A quorum of voters is needed before any node finishes starting: start them together.
  await Promise.all(cluster.nodes.map((n) => n.start(START_TIMEOUT_MS)));
  const brokers = proxies.map((p) => `127.0.0.1:${p.port}`);
  await using admin = new KafkaAdmin(testClient(brokers, 'battery-setup'));
  await waitFor('the three brokers through the proxies', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined), 120_000);
  return { proxies, brokers };
}
