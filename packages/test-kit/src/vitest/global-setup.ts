/**
 * Vitest global setup: one Kafka for a whole test run, handed to tests as `inject('kafkaBrokers')`.
 *
 * @module @tributary/test-kit/vitest-global-setup
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { provideKafka } from '../select.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap addresses of the Kafka the run's global setup started (or found in KAFKA_BROKERS). */
    kafkaBrokers: string[];
    /**
     * The log directory (`log.dirs`) of each node when the run's Kafka is the launcher's, on this machine; empty
     * for a cluster named in KAFKA_BROKERS or a container. Tests of what a client meets when bytes on a broker's
     * disk go bad write there.
     */
    kafkaLogDirs: string[];
  }
}

/**
 * Vitest global setup: get one Kafka for the whole run (KAFKA_BROKERS, testcontainers or the JVM launcher),
 * hand its addresses to tests (`inject('kafkaBrokers')`), and stop it when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const endpoint = await provideKafka({ log: (line) => console.log(`[kafka] ${line}`) });
  project.provide('kafkaBrokers', endpoint.brokers);
  project.provide('kafkaLogDirs', endpoint.cluster?.nodes.map((n) => n.layout.dataDir) ?? []);
  return async () => {
    await endpoint.stop();
  };
}
