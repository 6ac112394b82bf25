/**
 * @tributary/core/testing: the conformance suite every producer plugin must pass, and log checks for tests.
 * This entry imports vitest (an optional peer dependency of @tributary/core); the main entry never does.
 *
 * @module @tributary/core/testing
 */
export {
  describeProducerPluginConformance,
  CONFORMANCE_MAX_EVENT_BYTES,
  type ConformanceContext,
  type ConformanceHarness,
  type ConformanceFactory,
  type ConformanceOptions,
} from './conformance.js';
export { checkLog, emptyLogReport, recordId, type LogReport } from './log-report.js';
