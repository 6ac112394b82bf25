/**
 * @tributary/battery: the reliability battery. Workloads of every capability run as separate processes against
 * a three-node cluster while faults are injected; each appends a history, and an independent checker reads the
 * cluster end to end afterwards and reports anomalies by kind. Run with `pnpm battery` (profiles: quick, soak).
 */
export {};
