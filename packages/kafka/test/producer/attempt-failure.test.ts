import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { canRetry, judgeAttempt, type FailedAttempt } from '../../src/producer/attempt-failure.js';

const protocol = (type: string, retriable = false) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, retriable });
const attempt = (over: Partial<FailedAttempt> = {}): FailedAttempt => ({ sent: true, idempotent: true, records: 3, mayHaveAppended: () => false, resetNeeded: false, ...over });

describe('judgeAttempt', () => {
  it('reads the metadata again after an unsent attempt, a leader move or an error without a broker type', () => {
    expect(judgeAttempt(new KafkaJSConnectionError('no route'), attempt({ sent: false })).refresh).toBe(true);
    expect(judgeAttempt(protocol('NOT_LEADER_OR_FOLLOWER', true), attempt()).refresh).toBe(true);
    expect(judgeAttempt(new TypeError('bug'), attempt()).refresh).toBe(true);
    expect(judgeAttempt(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER'), attempt()).refresh).toBe(false);
  });

  it('splits a refused batch of several records unless an earlier attempt may have appended it, and fails a lone record as too large', () => {
    expect(judgeAttempt(protocol('MESSAGE_TOO_LARGE'), attempt()).verdict).toBe('split');
    expect(judgeAttempt(protocol('MESSAGE_TOO_LARGE'), attempt({ mayHaveAppended: () => true })).verdict).toBe('retry');
    expect(judgeAttempt(protocol('MESSAGE_TOO_LARGE'), attempt({ records: 1 })).verdict).toBe('too-large');
  });

  it('asks whether an earlier attempt may have appended the batch only for a too-large refusal', () => {
    let asked = 0;
    judgeAttempt(protocol('NOT_LEADER_OR_FOLLOWER', true), attempt({ mayHaveAppended: () => (asked++, false) }));
    expect(asked).toBe(0);
  });

  it('reads sequence answers only for an idempotent producer whose request was sent', () => {
    expect(judgeAttempt(protocol('DUPLICATE_SEQUENCE_NUMBER'), attempt()).verdict).toBe('duplicate');
    expect(judgeAttempt(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER'), attempt()).verdict).toBe('sequence-gap');
    expect(judgeAttempt(protocol('UNKNOWN_PRODUCER_ID'), attempt()).verdict).toBe('sequence-gap');
    expect(judgeAttempt(protocol('INVALID_PRODUCER_EPOCH'), attempt()).verdict).toBe('fenced');
    expect(judgeAttempt(protocol('INVALID_PRODUCER_EPOCH'), attempt({ resetNeeded: true })).verdict).toBe('requeue');
    expect(judgeAttempt(protocol('PRODUCER_FENCED'), attempt()).verdict).toBe('fenced');
    expect(judgeAttempt(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER'), attempt({ idempotent: false })).verdict).toBe('retry');
    expect(judgeAttempt(protocol('DUPLICATE_SEQUENCE_NUMBER'), attempt({ sent: false })).verdict).toBe('retry');
  });
});

describe('canRetry', () => {
  it('retries only errors that say they are retriable, and never a sequence error', () => {
    expect(canRetry(protocol('NOT_LEADER_OR_FOLLOWER', true))).toBe(true);
    expect(canRetry(new KafkaJSConnectionError('reset'))).toBe(true);
    expect(canRetry(protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', true))).toBe(false);
    expect(canRetry(protocol('INVALID_REQUIRED_ACKS'))).toBe(false);
    expect(canRetry(new TypeError('bug'))).toBe(false);
    expect(canRetry(undefined)).toBe(false);
  });
});
