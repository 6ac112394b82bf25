import { describe, expect, it } from 'vitest';
import { leaseTermMs, MembershipLease } from '../../src/rebalance/membership-lease.js';

describe('leaseTermMs', () => {
  it('is the session timeout less one heartbeat interval', () => {
    expect(leaseTermMs({ sessionTimeoutMs: 30_000, heartbeatIntervalMs: 3000 })).toBe(27_000);
    expect(leaseTermMs({ sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 })).toBe(5000);
  });

  it('stays above the heartbeat interval when the interval is close to the session timeout', () => {
    // A member heartbeating on time must never look silent.
    for (const [session, interval] of [[10_000, 6000], [10_000, 9000], [1000, 999], [1000, 100]] as const) {
      const term = leaseTermMs({ sessionTimeoutMs: session, heartbeatIntervalMs: interval });
      expect(term).toBeGreaterThanOrEqual(interval);
      expect(term).toBeLessThanOrEqual(session);
    }
    expect(leaseTermMs({ sessionTimeoutMs: 10_000, heartbeatIntervalMs: 6000 })).toBe(8000);
  });
});

describe('MembershipLease', () => {
  const timing = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 };

  it('holds for the term after each confirmation, and lapses past it', () => {
    let confirmedAt = 100_000;
    const lease = new MembershipLease(() => confirmedAt, timing);
    expect(lease.lapsed(100_000)).toBe(false);
    expect(lease.lapsed(105_000)).toBe(false);
    expect(lease.lapsed(105_001)).toBe(true);
    confirmedAt = 105_500;
    expect(lease.lapsed(106_000)).toBe(false);
  });

  it('counts as lapsed before the first confirmation, without telling of a lapse', () => {
    const lapses: number[] = [];
    const lease = new MembershipLease(() => 0, timing, (ms) => lapses.push(ms));
    expect(lease.lapsed(Date.now())).toBe(true);
    expect(lapses).toEqual([]);
  });

  it('tells of each lapse once, and says at renewal whether one was found', () => {
    let confirmedAt = 1000;
    const lapses: number[] = [];
    const lease = new MembershipLease(() => confirmedAt, timing, (ms) => lapses.push(ms));
    expect(lease.renewed()).toBe(false);
    expect(lease.lapsed(20_000)).toBe(true);
    expect(lease.lapsed(20_010)).toBe(true);
    expect(lapses).toEqual([19_000]);
    confirmedAt = 20_020;
    expect(lease.renewed()).toBe(true);
    expect(lease.renewed()).toBe(false);
    expect(lease.lapsed(20_030)).toBe(false);
    expect(lease.lapsed(40_000)).toBe(true);
    expect(lapses).toEqual([19_000, 19_980]);
  });
});
