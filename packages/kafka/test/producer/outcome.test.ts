import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyAttempts, classifyWriteFailure } from '../../src/producer/outcome.js';

const protocol = (type: string, code: number) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, code });

describe('classifyWriteFailure', () => {
  it('says failed when the broker rejected the request before appending', () => {
    expect(classifyWriteFailure(protocol('MESSAGE_TOO_LARGE', 10))).toBe('failed');
    expect(classifyWriteFailure(new KafkaJSNumberOfRetriesExceeded(protocol('NOT_ENOUGH_REPLICAS', 19), { retryCount: 0, retryTime: 100 }))).toBe('failed');
  });

  it('says unknown when kafkajs retried itself: the attempts it hides may have appended', () => {
    expect(classifyWriteFailure(new KafkaJSNumberOfRetriesExceeded(protocol('NOT_ENOUGH_REPLICAS', 19), { retryCount: 1, retryTime: 100 }))).toBe('unknown');
  });

  it('says unknown when the ack may have been lost', () => {
    expect(classifyWriteFailure(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'))).toBe('unknown');
    expect(classifyWriteFailure(new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: read ECONNRESET'), { retryCount: 5, retryTime: 100 }))).toBe('unknown');
    expect(classifyWriteFailure(protocol('NOT_ENOUGH_REPLICAS_AFTER_APPEND', 20))).toBe('unknown');
    expect(classifyWriteFailure(new Error('something else'))).toBe('unknown');
  });

  it('says unknown when only some of several errors are definite', () => {
    const aggregate = Object.assign(new Error('many'), { errors: [protocol('MESSAGE_TOO_LARGE', 10), new KafkaJSRequestTimeoutError('timed out')] });
    expect(classifyWriteFailure(aggregate)).toBe('unknown');
  });
});

describe('classifyAttempts', () => {
  it('says failed only when every attempt was refused before the append', () => {
    expect(classifyAttempts([protocol('NOT_ENOUGH_REPLICAS', 19), protocol('NOT_ENOUGH_REPLICAS', 19)])).toBe('failed');
  });

  it('says unknown when an earlier attempt lost its answer, whatever the last one said', () => {
    expect(classifyAttempts([new KafkaJSRequestTimeoutError('timed out'), protocol('NOT_ENOUGH_REPLICAS', 19)])).toBe('unknown');
    expect(classifyAttempts([protocol('NOT_ENOUGH_REPLICAS', 19), new KafkaJSConnectionError('Connection error: read ECONNRESET')])).toBe('unknown');
    expect(classifyAttempts([])).toBe('unknown');
  });
});
