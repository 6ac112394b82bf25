import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { checkKafkajs, createInternalCluster, installedKafkajsVersion, SUPPORTED_KAFKAJS } from '../../src/internal/kafkajs-internals.js';

// Each kafkajs internal the Kafka layer relies on, pinned against the installed kafkajs: a kafkajs upgrade that
// moves one of them fails here, by name, rather than at a user's first fetch.
const kafka = () => new Kafka({ clientId: 'contract', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

describe('the kafkajs internals the Kafka layer relies on', () => {
  it('are those of the installed kafkajs 2.2.x', () => {
    expect(installedKafkajsVersion()).toMatch(SUPPORTED_KAFKAJS);
    expect(() => checkKafkajs(kafka())).not.toThrow();
  });

  it("a Kafka client's private cluster factory makes a Cluster with the methods used", () => {
    const cluster = createInternalCluster(kafka()) as unknown as Record<string, unknown>;
    for (const method of ['connect', 'disconnect', 'addMultipleTargetTopics', 'refreshMetadata', 'findLeaderForPartitions', 'findBroker', 'findGroupCoordinator']) {
      expect(typeof cluster[method], method).toBe('function');
    }
  });

  it("kafkajs' Broker sends raw requests on its connection pool and commits offsets", async () => {
    // The Broker class is what findBroker and findGroupCoordinator hand out.
    const { default: Broker } = (await import('kafkajs/src/broker/index.js' as string)) as { default: { prototype: Record<string, unknown> } };
    expect(typeof Broker.prototype.offsetCommit).toBe('function');
    const { default: ConnectionPool } = (await import('kafkajs/src/network/connectionPool.js' as string)) as { default: { prototype: Record<string, unknown> } };
    expect(typeof ConnectionPool.prototype.send).toBe('function');
  });

  it('fails with UNSUPPORTED, naming what is missing, for a client without them', () => {
    const error = (() => {
      try {
        createInternalCluster({} as Kafka);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isTributaryError(error, 'UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('private:Kafka:createCluster');
  });
});
