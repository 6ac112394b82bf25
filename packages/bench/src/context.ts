import type { KafkaCluster } from '@tributary/test-kit';
import type { Figure } from './figures.js';

/** What every suite gets: the broker of this run, the Java tools, and the figures measured so far. */
export interface BenchContext {
  brokers: string[];
  /** The broker's pid, when the launcher started it (for its CPU). */
  brokerPid?: number;
  /** The launcher's cluster, when this run started one. */
  cluster?: KafkaCluster;
  java: string;
  classpath: string;
  kafkaVersion: string;
  /** Multiplies every suite's record counts (`--scale`). */
  scale: number;
  figures: Figure[];
  log(line: string): void;
  /** A figure measured earlier in this run, by suite and name (for anchors). */
  find(suite: string, name: string): Figure | undefined;
}

/** A named benchmark. Suites run in the order they are listed; later ones may use earlier figures as anchors. */
export interface Suite {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<void>;
}
