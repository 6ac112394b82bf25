import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { asTributaryError } from '../src/errors.js';

// The errors are kafkajs' own classes, built as kafkajs builds them, so a change of their shape shows here.
// (kafkajs' typings declare this one without the message its SASL authenticators pass.)
const SaslAuthenticationError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
describe('asTributaryError', () => {
  it('maps a SASL authentication refusal (kafkajs throws it by name, with no type) to AUTHORIZATION, not retriable', () => {
    const refused = new SaslAuthenticationError('SASL PLAIN authentication failed: Authentication failed: Invalid username or password');
    const error = asTributaryError(refused, 'Connecting to Kafka');
    expect(isTributaryError(error, 'AUTHORIZATION')).toBe(true);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/Invalid username or password/);
    expect(error.cause).toBe(refused);
  });

  it('maps an authorization answer of the broker to AUTHORIZATION through a retries-exceeded wrapper', () => {
    const denied = new KafkaJSProtocolError({ type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false, message: 'Not authorized to access topics' } as never);
    const error = asTributaryError(new KafkaJSNumberOfRetriesExceeded(denied, { retryCount: 1, retryTime: 100 }), 'Listing topics');
    expect(isTributaryError(error, 'AUTHORIZATION')).toBe(true);
  });

  it('names an untrusted broker certificate and what to do about it, and does not retry it', () => {
    const tls = new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain', { broker: '127.0.0.1:9093', code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const error = asTributaryError(new KafkaJSNumberOfRetriesExceeded(tls, { retryCount: 1, retryTime: 100 }), 'Connecting to Kafka');
    expect(isTributaryError(error, 'CONNECTION')).toBe(true);
    expect(error.retriable).toBe(false);
    expect(error.message).toMatch(/self-signed certificate in certificate chain/);
    expect(error.message).toMatch(/tls\.ca/);
    expect(error.context.tlsError).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it("names a broker's refusal of this client's certificate (mutual TLS), and does not retry it", () => {
    const alert = new KafkaJSConnectionError('Connection error: ssl3_read_bytes:sslv3 alert bad certificate', { broker: '127.0.0.1:9094', code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' });
    const error = asTributaryError(new KafkaJSNumberOfRetriesExceeded(alert, { retryCount: 1, retryTime: 100 }), 'Connecting to Kafka');
    expect(error).toMatchObject({ code: 'CONNECTION', retriable: false, context: { tlsError: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' } });
    expect(error.message).toMatch(/tls\.cert and tls\.key/);
  });

  it('keeps a broker out of reach retriable through kafkajs\' retries-exceeded wrapper, which says only that kafkajs stopped', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', code: 'ECONNREFUSED' });
    expect(asTributaryError(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 100 }), 'Connecting to Kafka').retriable).toBe(true);
  });

  it('keeps other connection errors retriable as kafkajs says, with no TLS hint', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: '127.0.0.1:1', code: 'ECONNREFUSED' });
    const error = asTributaryError(refused, 'Connecting to Kafka');
    expect(isTributaryError(error, 'CONNECTION')).toBe(true);
    expect(error.retriable).toBe(true);
    expect(error.message).not.toMatch(/tls/);
  });
});
