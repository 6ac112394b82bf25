import { describe, expect, it } from 'vitest';
import { DeadLetterHeaders, deadLetterHeaders, deadLetterTopicFor } from '../../src/failure/dead-letter-headers.js';

describe('deadLetterHeaders', () => {
  const origin = { topic: 'orders', partition: 2, offset: 2n ** 60n, timestamp: '1700000000000', errorCode: 'DECODE_FAILED', errorMessage: 'not JSON', group: 'g1', attempts: 0 };

  it('keeps the original headers and names the origin exactly', () => {
    const headers = deadLetterHeaders({ 'tributary-category': Buffer.from('order.created'), trace: 'abc' }, origin, new Date(0));
    const text = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
    expect(text).toEqual({
      'tributary-category': 'order.created',
      trace: 'abc',
      [DeadLetterHeaders.topic]: 'orders',
      [DeadLetterHeaders.partition]: '2',
      [DeadLetterHeaders.offset]: '1152921504606846976',
      [DeadLetterHeaders.timestamp]: '1700000000000',
      [DeadLetterHeaders.errorCode]: 'DECODE_FAILED',
      [DeadLetterHeaders.errorMessage]: 'not JSON',
      [DeadLetterHeaders.group]: 'g1',
      [DeadLetterHeaders.attempts]: '0',
      [DeadLetterHeaders.failedAt]: '1970-01-01T00:00:00.000Z',
    });
  });

  it('bounds a huge error message', () => {
    const headers = deadLetterHeaders({}, { ...origin, errorMessage: 'x'.repeat(100_000) });
    expect(headers[DeadLetterHeaders.errorMessage]!.length).toBeLessThan(5000);
  });

  it('names the dead-letter topic after the original', () => {
    expect(deadLetterTopicFor('orders')).toBe('orders.DLT');
  });
});
