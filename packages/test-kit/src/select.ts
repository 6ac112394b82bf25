import { existsSync } from 'node:fs';
import { KafkaRuntimeError } from './errors.js';
import { startKafkaCluster, type KafkaCluster, type KafkaClusterOptions } from './runtime/cluster.js';

/** Where a Kafka for tests, the demo or benchmarks came from. */
export type KafkaSource = 'external' | 'testcontainers' | 'jvm';

/** A Kafka cluster to talk to, however it was had. `stop()` stops only what was started here. */
export interface KafkaEndpoint {
  readonly brokers: string[];
  readonly source: KafkaSource;
  /** The launcher's cluster, when the source is `jvm` (for node-level faults and stats). */
  readonly cluster?: KafkaCluster;
  stop(): Promise<void>;
}

export interface ProvideKafkaOptions extends KafkaClusterOptions {
  /** Environment to read KAFKA_BROKERS and DOCKER_HOST from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Skip the Docker engine check even when one is reachable. */
  preferJvm?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** The official image used when a Docker engine is reachable; same version as the launcher's jars. */
export const KAFKA_IMAGE = 'apache/kafka:3.9.1';

/**
 * Get a Kafka the way every test, demo and benchmark does:
 * 1. `KAFKA_BROKERS` set (comma-separated host:port) -> that cluster, started and stopped by someone else;
 * 2. otherwise a reachable Docker engine -> testcontainers' Kafka module;
 * 3. otherwise Java and Maven -> the JVM launcher;
 * 4. otherwise a KafkaRuntimeError `no-broker-available` naming the three ways.
 */
export async function provideKafka(options: ProvideKafkaOptions = {}): Promise<KafkaEndpoint> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const external = env.KAFKA_BROKERS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (external && external.length > 0) {
    log(`Using the Kafka cluster named in KAFKA_BROKERS: ${external.join(',')}`);
    return { brokers: external, source: 'external', stop: async () => {} };
  }
  if (!options.preferJvm && dockerSocketPresent(env) && (options.nodes ?? 1) === 1) {
    const viaDocker = await tryTestcontainers(log);
    if (viaDocker) return viaDocker;
  }
  try {
    log('Starting Kafka as a JVM from the official jars...');
    const cluster = await startKafkaCluster(options);
    log(`Kafka ${cluster.kafkaVersion} ready at ${cluster.brokers.join(',')} in ${cluster.startupMs} ms`);
    return { brokers: cluster.brokers, source: 'jvm', cluster, stop: () => cluster.stop() };
  } catch (error) {
    if (error instanceof KafkaRuntimeError && (error.reason === 'java-missing' || error.reason === 'maven-missing')) {
      throw new KafkaRuntimeError(
        'no-broker-available',
        'No Kafka broker can be had. Either set KAFKA_BROKERS=host:port[,host:port] to use your cluster, ' +
          'or run a Docker engine (testcontainers starts Kafka), or install Java >= 17 and Maven (the launcher runs Kafka as a JVM). ' +
          `The launcher said: ${error.message}`,
        {},
        error,
      );
    }
    throw error;
  }
}

function dockerSocketPresent(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function tryTestcontainers(log: (line: string) => void): Promise<KafkaEndpoint | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    log('A Docker socket exists but no engine answers; falling back to the JVM launcher.');
    return undefined;
  }
  log(`Starting ${KAFKA_IMAGE} with testcontainers...`);
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer(KAFKA_IMAGE).withKraft().start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
  return { brokers, source: 'testcontainers', stop: async () => void (await container.stop()) };
}
