import { join } from 'node:path';
import { KafkaRuntimeError } from '../errors.js';
import { exec } from '../internal/exec.js';

/** The Java runtime the launcher runs Kafka with. */
export interface JavaRuntime {
  /** Path or command name of the `java` executable. */
  java: string;
  /** The feature version, such as 17. */
  version: number;
}

const MIN_JAVA = 17;

/**
 * Find `java` (`$JAVA_HOME/bin/java`, else the PATH) and check that it is Java 17 or newer.
 * @throws KafkaRuntimeError `java-missing` when there is none, or it is too old.
 */
export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<JavaRuntime> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  let banner: string;
  try {
    const result = await exec(java, ['-version']);
    banner = result.stderr + result.stdout;
  } catch (cause) {
    throw new KafkaRuntimeError(
      'java-missing',
      `Java ${MIN_JAVA} or newer is needed to run Kafka without Docker, and "${java}" could not be run. ` +
        'Install a JDK (e.g. apt-get install openjdk-17-jdk-headless), set KAFKA_BROKERS to an existing cluster, or run a Docker engine.',
      { java },
      cause,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (!(major >= MIN_JAVA)) {
    throw new KafkaRuntimeError('java-missing', `Java ${MIN_JAVA} or newer is needed to run Kafka; "${java}" reports: ${banner.split('\n')[0]}`, { java, banner });
  }
  return { java, version: major };
}
