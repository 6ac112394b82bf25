import { describe, expect, it } from 'vitest';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { waitForPartitions } from '../../src/admin/topic-wait.js';

/** A lookup that gives these answers in turn (a count, or an error to throw), then the last one for good. */
function answers(...given: Array<number | Error>) {
  const calls = { n: 0 };
  const ask = async () => {
    const next = given[Math.min(calls.n++, given.length - 1)]!;
    if (next instanceof Error) throw next;
    return next;
  };
  return { ask, calls };
}

const retriable = () => Object.assign(new Error('connection closed'), { retriable: true });

describe('waitForPartitions', () => {
  it('answers at once when the topic is known, and asks again while no broker knows it', async () => {
    expect(await waitForPartitions('t', answers(3).ask, { retryForMs: 0 })).toBe(3);
    const late = answers(0, 0, 5);
    expect(await waitForPartitions('t', late.ask, { retryForMs: 0 })).toBe(5);
    expect(late.calls.n).toBe(3);
  });

  it('calls a topic that stays unknown for about a second missing, naming it', async () => {
    const never = answers(0);
    const error = await waitForPartitions('orders', never.ask, { retryForMs: 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect(error).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT, retriable: false, context: { topic: 'orders' } });
    expect((error as Error).message).toMatch(/Topic "orders" does not exist .*use ensureTopics/);
    // Asked again with growing back-off (50, 100, 200, 400 ms...), not in a tight loop.
    expect(never.calls.n).toBeGreaterThanOrEqual(4);
    expect(never.calls.n).toBeLessThan(10);
  });

  it('asks again for up to retryForMs while a broker could not be asked, then fails retriably rather than calling the topic missing', async () => {
    const halfDown = { count: 0, everyBrokerAnswered: false };
    const recovering = answers(0, 0, 0, 0, 0, 0, 3);
    const ask = async () => (recovering.calls.n < 6 ? (await recovering.ask(), halfDown) : recovering.ask());
    // Six answers of none with a broker out of reach take longer than the second a conclusive none gets.
    expect(await waitForPartitions('t', ask, { retryForMs: 10_000 })).toBe(3);
    const stuck = await waitForPartitions('t', async () => halfDown, { retryForMs: 1200 }).catch((e: unknown) => e);
    expect(stuck).toBeInstanceOf(TributaryError);
    expect(stuck).toMatchObject({ code: ErrorCodes.TIMEOUT, retriable: true, context: { topic: 't' } });
    expect((stuck as Error).message).toMatch(/No broker that answered knew topic "t", and not every broker could be asked/);
  });

  it('names what the brokers last said, when told', async () => {
    const error = await waitForPartitions('orders', answers(0).ask, { retryForMs: 0, describe: () => 'node 1 (asked first): none; node 2: none' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Topic "orders" does not exist .*; brokers asked for \d+ ms, last answers: node 1 \(asked first\): none; node 2: none$/);
    expect(error).toMatchObject({ context: { topic: 'orders', answers: 'node 1 (asked first): none; node 2: none' } });
  });

  it('keeps a known count when the answer has none, and takes a grown one', async () => {
    expect(await waitForPartitions('t', answers(0).ask, { retryForMs: 0, known: 4 })).toBe(4);
    expect(await waitForPartitions('t', answers(6).ask, { retryForMs: 0, known: 4 })).toBe(6);
    expect(await waitForPartitions('t', answers(2).ask, { retryForMs: 0, known: 4 })).toBe(4);
  });

  it('tries a lookup that failed retriably again within retryForMs, and throws it as a TributaryError after', async () => {
    const flaky = answers(retriable(), 2);
    expect(await waitForPartitions('t', flaky.ask, { retryForMs: 5000 })).toBe(2);
    expect(flaky.calls.n).toBe(2);
    const down = answers(retriable());
    const error = await waitForPartitions('t', down.ask, { retryForMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect(error).toMatchObject({ retriable: true });
    expect(down.calls.n).toBe(1);
  });

  it('throws a failure that will not pass at once, mapped by kind', async () => {
    const refused = answers(Object.assign(new Error('Not authorized to access topics'), { retriable: false, type: 'TOPIC_AUTHORIZATION_FAILED' }));
    await expect(waitForPartitions('t', refused.ask, { retryForMs: 60_000 })).rejects.toMatchObject({ code: ErrorCodes.AUTHORIZATION });
    expect(refused.calls.n).toBe(1);
  });
});
