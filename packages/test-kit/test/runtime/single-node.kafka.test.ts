import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaRuntimeError } from '../../src/errors.js';
import { readToEnd } from '@tributary/kafka';
import { createTopics, randomTopic, testClient } from '../../src/helpers.js';
import { startKafkaCluster, type KafkaCluster } from '../../src/runtime/cluster.js';
import { freePort } from '../../src/runtime/ports.js';
import { liveProcessCount } from '../../src/runtime/process-registry.js';
import { write } from '../support/write.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('single-node launcher', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafkaCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts a broker that clients produce to and read from', async () => {
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.nodes[0]!.startupMs).toBeGreaterThan(0);
    const topic = randomTopic('launcher');
    await createTopics(cluster.brokers, [{ topic, numPartitions: 2 }]);
    const client = testClient(cluster.brokers);
    const sent = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    await write(client, topic, sent);
    const received = (await readToEnd(client, topic)).map((r) => r.value!.toString());
    expect([...received].sort()).toEqual([...sent].sort());
  });

  it('reports memory figures of the running broker', async () => {
    const stats = await cluster.nodes[0]!.stats();
    expect(stats?.rssBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(stats?.heapMaxBytes).toBe(512 * 1024 * 1024);
  });

  it('stops by pid and leaves no process behind', async () => {
    const pid = cluster.nodes[0]!.pid!;
    expect(alive(pid)).toBe(true);
    await cluster.stop();
    expect(alive(pid)).toBe(false);
    expect(cluster.nodes[0]!.running).toBe(false);
    expect(liveProcessCount()).toBe(0);
  });
});

describe('launcher failures', () => {
  it('fails with port-in-use when the client port is taken', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const error = await startKafkaCluster({ ports: [port] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaRuntimeError);
      expect((error as KafkaRuntimeError).reason).toBe('port-in-use');
      expect((error as Error).message).toContain(String(port));
    } finally {
      server.close();
    }
  });

  it('fails with broker-exited and the broker output when the broker cannot run', async () => {
    // An invalid setting makes the broker exit during start-up.
    const error = await startKafkaCluster({ overrides: { 'num.io.threads': 'not-a-number' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRuntimeError);
    expect(['broker-exited']).toContain((error as KafkaRuntimeError).reason);
    expect(liveProcessCount()).toBe(0);
  });
});
