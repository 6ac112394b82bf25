import { describe, expect, it } from 'vitest';
import { TributaryError, type TributaryError as TError } from '@tributary/core';
import { GroupNotices } from '../../src/group/group-notices.js';
import type { ConsumerLogger } from '../../src/logging/logger.js';

function setup(listeners: { onError?: (e: TError) => unknown; onPartitionsAssigned?: (p: unknown) => unknown; onPartitionsRevoked?: (p: unknown) => unknown } = {}) {
  const logs: Array<{ level: string; msg: string }> = [];
  const at = (level: string) => (_o: unknown, msg?: string) => void logs.push({ level, msg: msg ?? '' });
  const logger: ConsumerLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const notices = new GroupNotices({ groupId: 'g', logger, onError: listeners.onError, onPartitionsAssigned: listeners.onPartitionsAssigned, onPartitionsRevoked: listeners.onPartitionsRevoked });
  return { notices, logs };
}
const p0 = { topic: 't', partition: 0 };

describe('GroupNotices', () => {
  it('reports a stall once per reason through onError and a warning, and its end once', () => {
    const errors: TError[] = [];
    const { notices, logs } = setup({ onError: (e) => void errors.push(e) });
    notices.stall(p0, 'dead-letter-failed', 3n, new Error('no DLT'));
    notices.stall(p0, 'dead-letter-failed', 3n, new Error('no DLT'));
    expect(errors).toHaveLength(1);
    expect(notices.stalled()).toMatchObject([{ topic: 't', partition: 0, reason: 'dead-letter-failed', offset: 3n }]);
    notices.stall(p0, 'fetch-failing', 3n, new Error('leader gone'));
    expect(errors).toHaveLength(2);
    notices.progressed(p0);
    notices.progressed(p0);
    expect(notices.stalled()).toEqual([]);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(logs.filter((l) => l.msg === 'stalled partition progresses again')).toHaveLength(1);
  });

  it('forgets a stall of a partition no longer owned without reporting progress', () => {
    const { notices, logs } = setup();
    notices.stall(p0, 'authorization', 0n, new Error('denied'));
    notices.forget(p0);
    expect(notices.stalled()).toEqual([]);
    expect(logs.filter((l) => l.level === 'info')).toEqual([]);
  });

  it('calls partition listeners only with partitions, and logs a listener that throws or rejects', async () => {
    const seen: unknown[] = [];
    const { notices, logs } = setup({
      onPartitionsAssigned: (p) => void seen.push(p),
      onPartitionsRevoked: () => Promise.reject(new Error('revoke listener broke')),
      onError: () => { throw new Error('error listener broke'); },
    });
    notices.assigned([]);
    notices.assigned([p0]);
    expect(seen).toEqual([[p0]]);
    notices.revoked([p0]);
    notices.report(new TributaryError('CONNECTION', 'lost'));
    await expect.poll(() => logs.filter((l) => l.level === 'error').map((l) => l.msg).sort()).toEqual(['onError failed', 'onPartitionsRevoked failed']);
  });
});
