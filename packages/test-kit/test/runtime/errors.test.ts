import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { KafkaRuntimeError } from '../../src/errors.js';
import { findJava } from '../../src/runtime/java.js';
import { assertPortFree, freePort } from '../../src/runtime/ports.js';

describe('launcher preconditions', () => {
  it('reports a missing Java with a KafkaRuntimeError naming the three ways out', async () => {
    const error = await findJava({ JAVA_HOME: '/nonexistent-jdk' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRuntimeError);
    expect(isTributaryError(error, 'KAFKA_RUNTIME')).toBe(true);
    expect((error as KafkaRuntimeError).reason).toBe('java-missing');
    expect((error as Error).message).toMatch(/KAFKA_BROKERS/);
  });

  it('finds the Java on this machine and reads its version', async () => {
    const java = await findJava();
    expect(java.version).toBeGreaterThanOrEqual(17);
  });

  it('reports a taken port by number', async () => {
    const server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const error = await assertPortFree(port, 'test').catch((e: unknown) => e);
      expect((error as KafkaRuntimeError).reason).toBe('port-in-use');
      expect((error as Error).message).toContain(String(port));
    } finally {
      server.close();
    }
    await expect(assertPortFree(port, 'test')).resolves.toBeUndefined();
  });
});
