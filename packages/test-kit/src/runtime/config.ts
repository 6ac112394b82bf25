/** Where one KRaft node listens and keeps its data. */
export interface NodeLayout {
  nodeId: number;
  /** The client (PLAINTEXT) port on 127.0.0.1. */
  port: number;
  /** The KRaft controller port on 127.0.0.1. */
  controllerPort: number;
  dataDir: string;
  /** Client listeners beside PLAINTEXT (the secured ones), advertised on 127.0.0.1 like it. */
  extraListeners?: readonly ExtraListener[];
}

/** A named client listener: `name` is what `listener.name.<name>.*` settings refer to. */
export interface ExtraListener {
  name: string;
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  port: number;
}

/**
 * The server.properties of one combined broker+controller node, following Kafka's KRaft quick start, sized
 * for a two-core machine. With three nodes it makes the durable setup: replication 3, min.insync.replicas 2,
 * unclean leader election off, so an `acks=all` write survives the loss of any one broker.
 */
export function serverProperties(node: NodeLayout, all: readonly NodeLayout[], overrides: Readonly<Record<string, string>> = {}): string {
  const clustered = all.length > 1;
  const rf = String(Math.min(3, all.length));
  const extra = node.extraListeners ?? [];
  const client = [`PLAINTEXT://127.0.0.1:${node.port}`, ...extra.map((l) => `${l.name}://127.0.0.1:${l.port}`)].join(',');
  const props: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.nodeId),
    'controller.quorum.voters': all.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(','),
    listeners: `${client},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': client,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...extra.map((l) => `${l.name}:${l.protocol}`)].join(','),
    'log.dirs': node.dataDir,
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': clustered ? '2' : '1',
    'default.replication.factor': rf,
    'min.insync.replicas': clustered ? '2' : '1',
    'unclean.leader.election.enable': 'false',
    // A killed node is fenced (and its partitions get new leaders) after this, instead of the 9 s default:
    // fault tests see fail-over in a few seconds.
    'broker.heartbeat.interval.ms': '1000',
    'broker.session.timeout.ms': clustered ? '4000' : '9000',
    // Removes a 3 s wait on every first join of a consumer group.
    'group.initial.rebalance.delay.ms': '0',
    // The defaults of 50 partitions each slow a small machine down for nothing.
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.num.partitions': '3',
    'num.partitions': '1',
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',
    // Taken from the heap; the 128 MiB default does not fit a small broker heap.
    'log.cleaner.dedupe.buffer.size': String(16 * 1024 * 1024),
    // Tributary creates its topics explicitly.
    'auto.create.topics.enable': 'false',
    'delete.topic.enable': 'true',
    ...overrides,
  };
  return `${Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** log4j 1.x (reload4j) configuration: INFO to the console, which the launcher reads for readiness. */
export const LOG4J_PROPERTIES = [
  'log4j.rootLogger=INFO, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.request.logger=WARN',
  'log4j.logger.state.change.logger=WARN',
  'log4j.logger.org.apache.kafka.storage.internals.log=WARN',
  '',
].join('\n');
