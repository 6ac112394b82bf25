import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@tributary/core';
import { KafkaRuntimeError } from '../errors.js';
import { exec } from '../internal/exec.js';
import { waitForClusterReady } from '../internal/readiness.js';
import { LOG4J_PROPERTIES, serverProperties, type NodeLayout } from './config.js';
import { ensureKafkaJars, type EnsureKafkaJarsOptions } from './jars.js';
import { findJava } from './java.js';
import { KafkaNode } from './kafka-node.js';
import { assertPortFree, freePort } from './ports.js';
import { createSecuredUsers, scramFormatArguments, securedListeners, securityProperties, type KafkaSecurity, type SecuredUsers } from './security.js';
import { createTlsMaterial, tlsMaterialPaths, type TlsMaterial } from './tls-material.js';

export interface KafkaClusterOptions extends EnsureKafkaJarsOptions {
  /** 1 (the default) or 3. Three nodes use replication 3, min.insync.replicas 2, unclean election off. */
  nodes?: 1 | 3;
  /** Client ports, one per node. Default: free ports. */
  ports?: readonly number[];
  /** Controller ports, one per node. Default: free ports. */
  controllerPorts?: readonly number[];
  /** Heap per node in MiB. Default 512 for one node, 320 for three. */
  heapMb?: number;
  /** Start the JVM with C1 only (faster start, slower steady state). Default true; false for benchmarks. */
  fastStart?: boolean;
  /** Extra server.properties for every node. */
  overrides?: Record<string, string>;
  /** Folder for data and logs. Default: a fresh temporary folder, removed on stop. */
  workDir?: string;
  /** Milliseconds to wait for readiness. Default 120000. */
  readyTimeoutMs?: number;
  /**
   * Also open secured client listeners (single node only): SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and
   * SCRAM-SHA-512, SSL, and SSL with required client certificates, described by `cluster.security`. The
   * certificates are made with keytool at each start (a few seconds). Default false: PLAINTEXT only.
   */
  security?: boolean;
}

/** A running KRaft cluster the launcher started. `stop()` leaves no process behind. */
export interface KafkaCluster {
  /** Client bootstrap addresses, `127.0.0.1:<port>` per node. */
  readonly brokers: string[];
  readonly nodes: readonly KafkaNode[];
  readonly kafkaVersion: string;
  readonly workDir: string;
  /** Milliseconds from the first spawn until the cluster was ready from a client's view. */
  readonly startupMs: number;
  /** The secured listeners and their users and certificates, when started with `security: true`. */
  readonly security: KafkaSecurity | undefined;
  /** The node with the given node id (1-based). */
  node(nodeId: number): KafkaNode;
  /** Stop every node (controlled, SIGKILL after a deadline) and remove the work folder unless it was given. */
  stop(): Promise<void>;
}

/** A cluster started with `security: true`. */
export interface SecuredKafkaCluster extends KafkaCluster {
  readonly security: KafkaSecurity;
}

/**
 * Start a single-node or three-node KRaft cluster as plain JVMs on 127.0.0.1 from the official Kafka jars
 * (fetched with Maven the first time), and resolve once it is ready: every node logged "Kafka Server started",
 * the cluster describes itself with all brokers and a controller, and a probe topic has leaders.
 * With `security: true` the node also opens secured listeners beside the plain one (see {@link KafkaSecurity}).
 * @throws KafkaRuntimeError when Java or Maven is missing, a port is taken, the certificates cannot be made,
 * or a broker exits.
 */
export async function startKafkaCluster(options: KafkaClusterOptions & { security: true }): Promise<SecuredKafkaCluster>;
export async function startKafkaCluster(options?: KafkaClusterOptions): Promise<KafkaCluster>;
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const count = options.nodes ?? 1;
  if (count !== 1 && count !== 3) throw new InvalidArgumentError(`nodes must be 1 or 3, got ${String(count)}`, { option: 'nodes', value: count });
  if (options.security && count !== 1) throw new InvalidArgumentError(`security needs nodes: 1, got nodes: ${count}`, { option: 'security', value: options.security });
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars(options)]);
  const ownsWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'tributary-kafka-')));
  const layouts = await planLayouts(count, workDir, options);
  const log4jConfig = join(workDir, 'log4j.properties');
  await writeFile(log4jConfig, LOG4J_PROPERTIES);
  const jvm = { java, classpath: jars.classpath, heapMb: options.heapMb ?? (count === 1 ? 512 : 320), fastStart: options.fastStart ?? true, log4jConfig };
  const clusterId = randomBytes(16).toString('base64url').replace(/^-/, 'A');
  const users = options.security ? createSecuredUsers() : undefined;
  const tlsDir = join(workDir, 'tls');
  // The certificates are made while the storage is formatted: both are JVM runs, and the paths are known ahead.
  const tlsPassword = randomBytes(12).toString('hex');
  const tls = users ? createTlsMaterial(java, tlsDir, tlsPassword) : undefined;
  tls?.catch(() => {}); // awaited below; a failure must not surface as an unhandled rejection meanwhile
  const nodes: KafkaNode[] = [];
  for (const layout of layouts) {
    const dir = join(workDir, `node-${layout.nodeId}`);
    await mkdir(layout.dataDir, { recursive: true });
    const propertiesFile = join(dir, 'server.properties');
    const secured = users ? securityProperties(users, { ...tlsMaterialPaths(tlsDir), keystorePassword: tlsPassword }) : {};
    await writeFile(propertiesFile, serverProperties(layout, layouts, { ...secured, ...options.overrides }));
    await formatStorage(java, jars.classpath, clusterId, propertiesFile, log4jConfig, users ? scramFormatArguments(users) : []);
    nodes.push(new KafkaNode(layout, jvm, propertiesFile, join(dir, 'broker.log')));
  }
  const started = Date.now();
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    if (ownsWorkDir) await rm(workDir, { recursive: true, force: true });
  };
  let security: KafkaSecurity | undefined;
  try {
    if (users && tls) security = describeSecurity(layouts[0]!, users, await tls);
    // A quorum of voters is needed before any node finishes starting: start them together.
    await Promise.all(nodes.map((n) => n.start(options.readyTimeoutMs ?? 120_000)));
    await waitForClusterReady(nodes.map((n) => n.address), count, options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const startupMs = Date.now() - started;
  return {
    brokers: nodes.map((n) => n.address),
    nodes,
    kafkaVersion: jars.kafkaVersion,
    workDir,
    startupMs,
    security,
    node(nodeId: number) {
      const node = nodes.find((n) => n.nodeId === nodeId);
      if (!node) throw new InvalidArgumentError(`No node ${nodeId}: this cluster has node ids 1..${nodes.length}`, { nodeId });
      return node;
    },
    stop: stopAll,
  };
}

async function planLayouts(count: number, workDir: string, options: KafkaClusterOptions): Promise<NodeLayout[]> {
  for (const [name, list] of [['ports', options.ports], ['controllerPorts', options.controllerPorts]] as const) {
    if (list && list.length !== count) throw new InvalidArgumentError(`${name} must list ${count} port(s), got ${list.length}`, { option: name, value: list });
  }
  const layouts: NodeLayout[] = [];
  for (let i = 0; i < count; i++) {
    const port = options.ports?.[i] ?? (await freePort());
    const controllerPort = options.controllerPorts?.[i] ?? (await freePort());
    await assertPortFree(port, `Kafka node ${i + 1} client listener`);
    await assertPortFree(controllerPort, `Kafka node ${i + 1} controller listener`);
    const extraListeners = options.security ? securedListeners({ sasl: await freePort(), ssl: await freePort(), mtls: await freePort() }) : undefined;
    layouts.push({ nodeId: i + 1, port, controllerPort, dataDir: join(workDir, `node-${i + 1}`, 'data'), extraListeners });
  }
  return layouts;
}

function describeSecurity(layout: NodeLayout, users: SecuredUsers, tls: TlsMaterial): KafkaSecurity {
  const address = (name: string) => layout.extraListeners?.filter((l) => l.name === name).map((l) => `127.0.0.1:${l.port}`) ?? [];
  return {
    saslBrokers: address('SASL_PLAINTEXT'),
    sslBrokers: address('SSL'),
    mtlsBrokers: address('MTLS'),
    users,
    caPem: tls.caPem,
    clientCertPem: tls.clientCertPem,
    clientKeyPem: tls.clientKeyPem,
  };
}

async function formatStorage(java: string, classpath: string, clusterId: string, propertiesFile: string, log4jConfig: string, extraArgs: readonly string[]): Promise<void> {
  const args = ['format', '-t', clusterId, '-c', propertiesFile, '--ignore-formatted', ...extraArgs];
  const result = await exec(java, [`-Dlog4j.configuration=file:${log4jConfig}`, '-cp', classpath, 'kafka.tools.StorageTool', ...args]);
  if (result.code !== 0) {
    throw new KafkaRuntimeError('broker-exited', `Formatting Kafka storage failed (exit ${result.code}): ${(result.stdout + result.stderr).trim().slice(-2000)}`, { propertiesFile });
  }
}
