import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import pino from 'pino';
import { isConsumerLogger, kafkajsLogCreator, silentLogger, type ConsumerLogger } from '../../src/logging/logger.js';

describe('the consumer logger', () => {
  it('takes a pino logger as it is', () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger: ConsumerLogger = pino({ level: 'debug' }, stream);
    expect(isConsumerLogger(logger)).toBe(true);
    logger.warn({ topic: 't', partition: 1 }, 'record dead-lettered');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, topic: 't', partition: 1, msg: 'record dead-lettered' });
  });

  it("routes kafkajs' logs: errors and warnings as such, the rest as debug", () => {
    const got: string[] = [];
    const logger: ConsumerLogger = { debug: (_o, m) => void got.push(`debug ${m}`), info: (_o, m) => void got.push(`info ${m}`), warn: (_o, m) => void got.push(`warn ${m}`), error: (_o, m) => void got.push(`error ${m}`) };
    const log = kafkajsLogCreator(logger)(logLevel.INFO);
    const entry = (level: logLevel, message: string) => ({ namespace: 'Consumer', level, label: '', log: { timestamp: '', logger: 'kafkajs', message } });
    log(entry(logLevel.ERROR, 'crash'));
    log(entry(logLevel.WARN, 'rebalancing'));
    log(entry(logLevel.INFO, 'joined'));
    log(entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    log({ ...entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)'), namespace: 'Connection' });
    expect(got).toEqual(['error crash', 'warn rebalancing', 'debug joined', 'debug Response Heartbeat(key: 12, version: 3)']);
    expect(isConsumerLogger(silentLogger)).toBe(true);
    expect(isConsumerLogger({ info() {} })).toBe(false);
  });
});
