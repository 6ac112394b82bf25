/** One anchor a figure is compared with: the same workload through raw kafkajs or Kafka's Java tools. */
export interface Anchor {
  name: string;
  value: number;
}

/** One measured figure of a benchmark, with its anchors from the same run. */
export interface Figure {
  suite: string;
  name: string;
  value: number;
  unit: string;
  anchors: Anchor[];
  /** A target the figure is held to, as a ratio to the first anchor (e.g. 0.95), when the issue sets one. */
  target?: { ratio: number; anchor: string };
  /** A bound the issue sets on the figure itself, in its unit (e.g. p50 at most 5 ms). */
  bound?: { atMost: number } | { atLeast: number };
  /** CPU seconds of the load generator and the broker during the measurement. */
  cpu?: { client: number; broker?: number };
  notes?: string;
}

/** The ratio of a figure to an anchor, for higher-is-better units. */
export function ratio(figure: Figure, anchor: Anchor): number {
  return anchor.value === 0 ? NaN : figure.value / anchor.value;
}
