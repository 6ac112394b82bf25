/**
 * The consumer logs through the Kafka layer's {@link Logger} (pino's shape). Default: warnings and errors to
 * stderr (`stderrLogger`), so a partition that cannot progress is never silent; pass `silentLogger` for silence.
 */
export { silentLogger, stderrLogger, isLogger as isConsumerLogger, messageOf, type Logger as ConsumerLogger } from '@tributary/kafka';
