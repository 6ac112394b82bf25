import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyAttempts, classifyWriteFailure } from '../../src/producer/outcome.js';

const protocol = (type: string, code: number) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, code });
const sent = (error: unknown) => ({ error, sent: true });
const notSent = (error: unknown) => ({ error, sent: false });
const refused = () => new KafkaJSConnectionError('Failed to connect: connect ECONNREFUSED 127.0.0.1:9092');

describe('classifyWriteFailure', () => {
  it('says failed when the broker rejected the request before appending', () => {
    expect(classifyWriteFailure(protocol('MESSAGE_TOO_LARGE', 10))).toBe('failed');
    expect(classifyWriteFailure(protocol('NOT_ENOUGH_REPLICAS', 19))).toBe('failed');
    expect(classifyWriteFailure(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', 45))).toBe('failed');
    expect(classifyWriteFailure(new KafkaJSNumberOfRetriesExceeded(protocol('NOT_ENOUGH_REPLICAS', 19), { retryCount: 0, retryTime: 100 }))).toBe('failed');
  });

  it('says unknown for NOT_LEADER_OR_FOLLOWER and UNKNOWN_TOPIC_OR_PARTITION with acks all: a leader that steps down answers them after appending', () => {
    expect(classifyWriteFailure(protocol('NOT_LEADER_FOR_PARTITION', 6), -1)).toBe('unknown');
    expect(classifyWriteFailure(protocol('UNKNOWN_TOPIC_OR_PARTITION', 3), -1)).toBe('unknown');
    // With acks 1 the leader answers right after its own append, so these come only before it.
    expect(classifyWriteFailure(protocol('NOT_LEADER_FOR_PARTITION', 6), 1)).toBe('failed');
    expect(classifyWriteFailure(protocol('UNKNOWN_TOPIC_OR_PARTITION', 3), 1)).toBe('failed');
  });

  it('says unknown when kafkajs retried itself: the attempts it hides may have appended', () => {
    expect(classifyWriteFailure(new KafkaJSNumberOfRetriesExceeded(protocol('NOT_ENOUGH_REPLICAS', 19), { retryCount: 1, retryTime: 100 }))).toBe('unknown');
  });

  it('says unknown when the ack may have been lost or the records were appended', () => {
    expect(classifyWriteFailure(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'))).toBe('unknown');
    expect(classifyWriteFailure(new KafkaJSConnectionError('Connection error: read ECONNRESET'))).toBe('unknown');
    expect(classifyWriteFailure(protocol('REQUEST_TIMED_OUT', 7))).toBe('unknown');
    expect(classifyWriteFailure(protocol('NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20))).toBe('unknown');
    expect(classifyWriteFailure(protocol('DUPLICATE_SEQUENCE_NUMBER', 46))).toBe('unknown');
    expect(classifyWriteFailure(protocol('KAFKA_STORAGE_ERROR', 56))).toBe('unknown');
    expect(classifyWriteFailure(new Error('something else'))).toBe('unknown');
  });

  it('says unknown when only some of several errors are definite', () => {
    const aggregate = Object.assign(new Error('many'), { errors: [protocol('MESSAGE_TOO_LARGE', 10), new KafkaJSRequestTimeoutError('timed out')] });
    expect(classifyWriteFailure(aggregate)).toBe('unknown');
  });
});

describe('classifyAttempts', () => {
  it('says failed only when every attempt was refused before the append or never sent', () => {
    expect(classifyAttempts([sent(protocol('NOT_ENOUGH_REPLICAS', 19)), sent(protocol('NOT_ENOUGH_REPLICAS', 19))])).toBe('failed');
    expect(classifyAttempts([notSent(refused()), sent(protocol('NOT_ENOUGH_REPLICAS', 19)), notSent(refused())])).toBe('failed');
  });

  it('counts an error that happened before sending as nothing appended, whatever it is', () => {
    expect(classifyAttempts([notSent(new KafkaJSRequestTimeoutError('Request Metadata(key: 3, version: 6) timed out'))])).toBe('failed');
  });

  it('says unknown when an earlier attempt lost its answer, whatever the later ones said', () => {
    expect(classifyAttempts([sent(new KafkaJSRequestTimeoutError('timed out')), sent(protocol('NOT_ENOUGH_REPLICAS', 19))])).toBe('unknown');
    expect(classifyAttempts([sent(new KafkaJSConnectionError('Connection error: read ECONNRESET')), notSent(refused()), notSent(refused())])).toBe('unknown');
    expect(classifyAttempts([sent(protocol('NOT_ENOUGH_REPLICAS', 19)), sent(new KafkaJSConnectionError('Connection error: read ECONNRESET'))])).toBe('unknown');
    expect(classifyAttempts([])).toBe('unknown');
  });

  it('weighs NOT_LEADER_OR_FOLLOWER by the acks asked for', () => {
    expect(classifyAttempts([sent(protocol('NOT_LEADER_FOR_PARTITION', 6))], -1)).toBe('unknown');
    expect(classifyAttempts([sent(protocol('NOT_LEADER_FOR_PARTITION', 6))], 1)).toBe('failed');
  });
});
