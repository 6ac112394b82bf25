import { Kafka, KafkaJSProtocolError, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createInternalCluster, kafkaProtocolError } from '../../src/internal/kafkajs-internals.js';
import { classifyWriteFailure } from '../../src/producer/outcome.js';

// The kafkajs internals the writer's produce path relies on, pinned against the installed kafkajs: its Broker's
// initProducerId, the cluster's controller lookup, a connection that frames a request body Tributary encoded, and
// kafkajs' error table, whose names the writer's outcomes are read from.

describe('the kafkajs internals the writer produces with', () => {
  it('a Cluster finds a controller broker and a Broker asks for producer ids', async () => {
    const cluster = createInternalCluster(new Kafka({ clientId: 'contract', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }));
    expect(typeof cluster.findControllerBroker).toBe('function');
    const { default: Broker } = (await import('kafkajs/src/broker/index.js' as string)) as { default: { prototype: Record<string, unknown> } };
    expect(typeof Broker.prototype.initProducerId).toBe('function');
  });

  it('a Cluster without metadata yet says so by name when asked for a broker (the writer then reads the metadata)', async () => {
    const cluster = createInternalCluster(new Kafka({ clientId: 'contract', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }));
    await expect(cluster.findControllerBroker()).rejects.toMatchObject({ name: 'KafkaJSMetadataNotLoaded' });
  });

  it('a connection frames the body a request encodes: size, api key, version, correlation id, client id, then the body as given', async () => {
    type CreateRequest = (o: { correlationId: number; clientId: string; request: { apiKey: number; apiVersion: number; encode(): { buf: Buffer; buffer: Buffer } } }) => Promise<{ buffer: Buffer }>;
    const { default: createRequest } = (await import('kafkajs/src/protocol/request.js' as string)) as { default: CreateRequest };
    const body = Buffer.from([1, 2, 3, 4, 5]);
    const framed = (await createRequest({ correlationId: 77, clientId: 'ab', request: { apiKey: 0, apiVersion: 8, encode: () => ({ buf: body, buffer: body }) } })).buffer;
    const header = Buffer.from([0, 0, 0, 8, 0, 0, 0, 77, 0, 2, 0x61, 0x62]);
    expect(framed).toEqual(Buffer.concat([Buffer.from([0, 0, 0, header.length + body.length]), header, body]));
  });

  it("a connection's send awaits no answer for a request whose expectResponse says false", async () => {
    const { default: Connection } = (await import('kafkajs/src/network/connection.js' as string)) as { default: { prototype: { send: (...a: unknown[]) => unknown } } };
    expect(Connection.prototype.send.toString()).toMatch(/request\.expectResponse\(\)/);
  });

  it("kafkajs' error table names the Produce answers the writer's outcomes are read from, retriable as kafkajs says", () => {
    const table = [
      [6, 'NOT_LEADER_FOR_PARTITION', true, 'unknown'],
      [19, 'NOT_ENOUGH_REPLICAS', true, 'failed'],
      [10, 'MESSAGE_TOO_LARGE', false, 'failed'],
      [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'failed'],
      [47, 'INVALID_PRODUCER_EPOCH', false, 'failed'],
      [59, 'UNKNOWN_PRODUCER_ID', false, 'failed'],
      [7, 'REQUEST_TIMED_OUT', true, 'unknown'],
    ] as const;
    for (const [code, type, retriable, outcome] of table) {
      const error = kafkaProtocolError(code);
      expect(error).toBeInstanceOf(KafkaJSProtocolError);
      expect([error.type, error.code, error.retriable, classifyWriteFailure(error, -1)]).toEqual([type, code, retriable, outcome]);
    }
  });
});
