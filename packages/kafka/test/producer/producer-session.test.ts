import { describe, expect, it } from 'vitest';
import { ProducerSession } from '../../src/producer/producer-session.js';

describe('ProducerSession', () => {
  it('moves a partition on only when the broker acknowledged, and wraps at 2^31 as Kafka does', () => {
    const s = new ProducerSession('1', 0);
    expect(s.sequence('t', 0)).toBe(0);
    s.acknowledged('t', 0, 5);
    expect([s.sequence('t', 0), s.sequence('t', 1), s.sequence('u', 0)]).toEqual([5, 0, 0]);
    s.acknowledged('t', 1, 2 ** 31 - 1);
    s.acknowledged('t', 1, 3);
    expect(s.sequence('t', 1)).toBe(2);
  });

  it('keeps every sequence at 0 without idempotence', () => {
    const s = ProducerSession.notIdempotent();
    s.acknowledged('t', 0, 5);
    expect([s.idempotent, s.sequence('t', 0)]).toEqual([false, 0]);
  });
});
