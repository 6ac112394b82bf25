import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import { kafkajsLogCreator } from '../../src/logging/kafkajs-log.js';
import { isLogger, silentLogger, stderrLogger, type Logger } from '../../src/logging/logger.js';

describe('the logger', () => {
  it('takes a pino logger as it is', () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger: Logger = pino({ level: 'debug' }, stream);
    expect(isLogger(logger)).toBe(true);
    logger.warn({ topic: 't', partition: 1 }, 'record dead-lettered');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, topic: 't', partition: 1, msg: 'record dead-lettered' });
  });

  it('prints warnings and errors to stderr by default, one JSON line each, and drops debug and info', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      stderrLogger.debug({}, 'debug');
      stderrLogger.info({}, 'info');
      stderrLogger.warn({ partition: 'orders:1', offset: 5n }, 'partition stalled');
      stderrLogger.error({ err: 'boom' }, 'failed');
      const lines = write.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ level: 40, partition: 'orders:1', offset: '5', msg: 'partition stalled' });
      expect(lines[1]).toMatchObject({ level: 50, err: 'boom', msg: 'failed' });
    } finally {
      write.mockRestore();
    }
  });

  it("routes kafkajs' logs: errors and warnings as such, routine rebalances as info, the rest as debug", () => {
    const got: string[] = [];
    const logger: Logger = {
      debug: (_o, m) => void got.push(`debug ${m}`),
      info: (_o, m) => void got.push(`info ${m}`),
      warn: (_o, m) => void got.push(`warn ${m}`),
      error: (_o, m) => void got.push(`error ${m}`),
    };
    const log = kafkajsLogCreator(logger)(logLevel.INFO);
    const entry = (level: logLevel, message: string) => ({ namespace: 'Consumer', level, label: '', log: { timestamp: '', logger: 'kafkajs', message } });
    log(entry(logLevel.ERROR, 'crash'));
    log(entry(logLevel.WARN, 'rebalancing'));
    log(entry(logLevel.INFO, 'joined'));
    log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    log({ ...entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)'), namespace: 'Connection' });
    log({ ...entry(logLevel.WARN, 'The group is rebalancing, re-joining'), namespace: 'Runner' });
    const concurrent = 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    log({ ...entry(logLevel.ERROR, concurrent), namespace: 'Producer' });
    log({ ...entry(logLevel.ERROR, 'Failed to send messages: Closed connection'), namespace: 'Producer' });
    expect(got).toEqual([
      'error crash', 'info rebalancing', 'debug joined', 'debug Response Heartbeat(key: 12, version: 3)', 'info The group is rebalancing, re-joining',
      `debug ${concurrent}`, 'error Failed to send messages: Closed connection',
    ]);
    expect(isLogger(silentLogger)).toBe(true);
    expect(isLogger({ info() {} })).toBe(false);
  });
});
