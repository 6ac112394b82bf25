import { parseArgs } from 'node:util';
import { ensureKafkaJars } from './runtime/jars.js';
import { provideKafka } from './select.js';

const USAGE = `Usage: tributary-kafka <command>
  fetch                       fetch the Kafka jars into the cache (Maven; first run only)
  start [--nodes 1|3] [--port N]   start Kafka in the foreground until Ctrl-C (default port 9092 for one node)`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { nodes: { type: 'string' }, port: { type: 'string' } } });
  const log = (line: string) => console.log(line);
  switch (positionals[0]) {
    case 'fetch': {
      const jars = await ensureKafkaJars({ log });
      console.log(`Kafka ${jars.kafkaVersion} jars in ${jars.libsDir}`);
      return;
    }
    case 'start': {
      const nodes = values.nodes === '3' ? 3 : 1;
      const base = Number(values.port ?? 9092);
      const ports = nodes === 1 ? [base] : [base, base + 1, base + 2];
      const endpoint = await provideKafka({ nodes, ports, log, preferJvm: true, env: { ...process.env, KAFKA_BROKERS: '' } });
      console.log(`Kafka is running at ${endpoint.brokers.join(',')}. Press Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await endpoint.stop();
      return;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
