/**
 * @tributary/battery: the reliability battery. Workloads of every capability run as separate processes against
 * a three-node cluster while faults are injected; each appends a history, and an independent checker reads the
 * cluster end to end afterwards and reports anomalies by kind. Run with `pnpm battery` (profiles: quick, soak).
 */
export { check, ANOMALY_KINDS, type Anomaly, type AnomalyKind, type CheckOptions, type CheckResult, type Observed, type ObservedRecord } from './checker.js';
export { HistoryWriter, readHistories, type HistoryEntry, type HistoryInput, type PartitionRef } from './history.js';
export { runBattery, PROFILES, type Profile, type BatteryResult } from './battery.js';
export { FAULT_KINDS, type FaultKind, type FaultRecord } from './faults/faults.js';
export { ChaosProxy } from './faults/chaos-proxy.js';
export { recoveryMs, summarizeRecovery, type RecoverySummary } from './recovery.js';
