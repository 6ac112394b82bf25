import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from './logger.js';

/**
 * kafkajs' logs into a {@link Logger}: its errors and warnings as such, its (chatty) info as debug. Used with
 * `logLevel.INFO`.
 */
export function kafkajsLogCreator(logger: Logger): logCreator {
  return () => ({ namespace, level, log }) => {
    const { message, ...rest } = log;
    // The dead-letter writer bounds its retries on purpose (a missing topic must fail so the partition
    // pauses); it sends one awaited record at a time, so the ordering this warning is about cannot break.
    if (message === 'Limiting retries for the idempotent producer may invalidate EoS guarantees') return;
    const obj = { ...rest, namespace, source: 'kafkajs' };
    // kafkajs logs every error answer of the broker at ERROR, also those it handles itself (a heartbeat told
    // the group is rebalancing, a commit refused while it does): what matters of them, Tributary logs itself.
    if (namespace === 'Connection' && message.startsWith('Response ')) logger.debug(obj, message);
    // A rebalance is routine, and the group reports what it means for this member (joins, revocations) itself.
    else if (/rebalancing|re-joining/i.test(message)) logger.info(obj, message);
    // A transaction begun while the coordinator still writes the last one's markers meets CONCURRENT_TRANSACTIONS
    // and is retried a few milliseconds later: routine, several times per transaction (Java's producer logs it at
    // debug too). At ERROR it buried a transactional processor's log in lines that report nothing wrong.
    else if (message.includes('another concurrent operation on the same transaction')) logger.debug(obj, message);
    else if (level === logLevel.ERROR) logger.error(obj, message);
    else if (level === logLevel.WARN) logger.warn(obj, message);
    else logger.debug(obj, message);
  };
}
