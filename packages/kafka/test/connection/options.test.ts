import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@tributary/core';
import { resolveConnectionOptions, type KafkaConnectionOptions } from '../../src/connection/options.js';

/** The option path a bad value is reported under. */
function pathOf(options: unknown, prefix = ''): unknown {
  try {
    resolveConnectionOptions(options as KafkaConnectionOptions, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).context.option;
  }
  throw new Error('the options were accepted');
}

const brokers = ['127.0.0.1:9092'];

describe('resolveConnectionOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveConnectionOptions({ brokers })).toEqual({
      brokers, clientId: 'tributary', tls: false, sasl: undefined, connectionTimeoutMs: 3000, requestTimeoutMs: 30_000, retries: 5,
    });
  });

  it('takes tls: true as the system trust store, and keeps a CA, a client pair and a server name', () => {
    expect(resolveConnectionOptions({ brokers, tls: true }).tls).toEqual({});
    const tls = { ca: ['-----BEGIN CERTIFICATE-----'], cert: 'c', key: Buffer.from('k'), servername: 'localhost', rejectUnauthorized: true };
    expect(resolveConnectionOptions({ brokers, tls }).tls).toEqual(tls);
  });

  it('keeps each SASL mechanism Kafka offers', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      expect(resolveConnectionOptions({ brokers, sasl: { mechanism, username: 'u', password: '' } }).sasl?.mechanism).toBe(mechanism);
    }
  });

  it.each([
    [{ brokers: [] }, 'brokers'],
    [{ brokers: ['127.0.0.1:9092', 'no-port'] }, 'brokers[1]'],
    [{ brokers, clientId: '' }, 'clientId'],
    [{ brokers, tls: 'yes' }, 'tls'],
    [{ brokers, tls: { ca: 42 } }, 'tls.ca'],
    [{ brokers, tls: { ca: ['ok', 42] } }, 'tls.ca'],
    [{ brokers, tls: { cert: 'c' } }, 'tls.key'],
    [{ brokers, tls: { key: 'k' } }, 'tls.cert'],
    [{ brokers, tls: { rejectUnauthorized: 'no' } }, 'tls.rejectUnauthorized'],
    [{ brokers, tls: { servername: 1 } }, 'tls.servername'],
    [{ brokers, sasl: 'plain' }, 'sasl'],
    [{ brokers, sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }, 'sasl.mechanism'],
    [{ brokers, sasl: { mechanism: 'plain', username: '', password: 'p' } }, 'sasl.username'],
    [{ brokers, sasl: { mechanism: 'plain', username: 'u' } }, 'sasl.password'],
    [{ brokers, connectionTimeoutMs: 0 }, 'connectionTimeoutMs'],
    [{ brokers, requestTimeoutMs: 1.5 }, 'requestTimeoutMs'],
    [{ brokers, retries: -1 }, 'retries'],
  ])('rejects %j naming %s', (options, path) => {
    expect(pathOf(options)).toBe(path);
  });

  it('prefixes paths with where the options sit in the caller\'s options', () => {
    expect(pathOf({ brokers, sasl: { mechanism: 'plain', username: 'u', password: 1 } }, 'connection')).toBe('connection.sasl.password');
  });

  it('never puts a password in the error', () => {
    try {
      resolveConnectionOptions({ brokers, sasl: { mechanism: 'plain', username: 'u', password: 12345678 } } as never);
    } catch (error) {
      expect((error as Error).message).not.toMatch(/12345678/);
      expect(JSON.stringify((error as InvalidArgumentError).context)).not.toMatch(/12345678/);
      return;
    }
    throw new Error('the options were accepted');
  });
});
