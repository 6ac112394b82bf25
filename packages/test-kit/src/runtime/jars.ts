import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaRuntimeError } from '../errors.js';
import { exec } from '../internal/exec.js';

/** The folder of Kafka jars the launcher runs from. */
export interface KafkaJars {
  /** Folder holding every jar of the broker, kafka-tools and the logging binding. */
  libsDir: string;
  /** The Kafka version the pom names. */
  kafkaVersion: string;
  /** The classpath argument for `java -cp`. */
  classpath: string;
}

export interface EnsureKafkaJarsOptions {
  /** Root of the jar cache. Default: $TRIBUTARY_KAFKA_CACHE, else ~/.cache/tributary/kafka. */
  cacheRoot?: string;
  /** Called with progress lines (the Maven download can take a minute on a first run). */
  log?: (line: string) => void;
}

/** The pom shipped with this package: the single source of the Kafka version and the artifacts. */
export const KAFKA_POM = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'kafka', 'pom.xml');

const COMPLETE_MARKER = '.complete';

/**
 * Make sure the Kafka jars named by the pom are in the cache, fetching them with Maven the first time.
 * The cache folder is keyed by a hash of the pom, so a version change never mixes jars on one classpath,
 * and a folder is only used once Maven finished filling it (it is filled aside, then renamed into place).
 * @throws KafkaRuntimeError `maven-missing` when Maven is needed and absent, `jar-fetch-failed` when it fails.
 */
export async function ensureKafkaJars(options: EnsureKafkaJarsOptions = {}): Promise<KafkaJars> {
  const pom = await readFile(KAFKA_POM, 'utf8');
  const kafkaVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
  const key = createHash('sha256').update(pom).digest('hex').slice(0, 12);
  const cacheRoot = options.cacheRoot ?? process.env.TRIBUTARY_KAFKA_CACHE ?? join(homedir(), '.cache', 'tributary', 'kafka');
  const libsDir = join(cacheRoot, `${kafkaVersion}-${key}`);
  if (!existsSync(join(libsDir, COMPLETE_MARKER))) {
    await fetchJars(libsDir, options.log ?? (() => {}));
  }
  return { libsDir, kafkaVersion, classpath: join(libsDir, '*') };
}

async function fetchJars(libsDir: string, log: (line: string) => void): Promise<void> {
  const staging = `${libsDir}.tmp-${randomBytes(4).toString('hex')}`;
  await mkdir(staging, { recursive: true });
  log(`Fetching the Kafka jars with Maven into ${libsDir} (first run only)...`);
  const args = ['-B', '-q', '-f', KAFKA_POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`];
  let result;
  try {
    result = await exec('mvn', args);
  } catch (cause) {
    await rm(staging, { recursive: true, force: true });
    throw new KafkaRuntimeError(
      'maven-missing',
      'Maven is needed once to fetch the Kafka jars, and "mvn" could not be run. Install Maven (apt-get install maven), ' +
        'set KAFKA_BROKERS to an existing cluster, or run a Docker engine.',
      {},
      cause,
    );
  }
  const jars = result.code === 0 ? (await readdir(staging)).filter((f) => f.endsWith('.jar')) : [];
  if (result.code !== 0 || !jars.some((f) => f.startsWith('kafka_'))) {
    await rm(staging, { recursive: true, force: true });
    throw new KafkaRuntimeError('jar-fetch-failed', `Maven could not fetch the Kafka jars (exit ${result.code}): ${(result.stdout + result.stderr).trim().slice(-2000)}`, { pom: KAFKA_POM });
  }
  await writeFile(join(staging, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  try {
    await rename(staging, libsDir);
  } catch (cause) {
    // Another process filled the same folder first: theirs is complete, ours is redundant.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(libsDir, COMPLETE_MARKER))) throw cause;
  }
  log(`Fetched ${jars.length} jars.`);
}
