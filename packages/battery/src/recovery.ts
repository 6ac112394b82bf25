import type { FaultKind, FaultRecord } from './faults/faults.js';
import type { HistoryEntry } from './history.js';

/**
 * Milliseconds from a fault's `recoveryFrom` to the first successful ack and the first delivery after it on the
 * partitions it hit (for a member fault, the first delivery alone: producers do not notice those; for a responder
 * killed, the first response), or undefined when the history has none.
 */
export function recoveryMs(fault: FaultRecord, history: readonly HistoryEntry[]): number | undefined {
  if (fault.kind === 'responder-killed') {
    const answered = history.find((e) => e.t >= fault.recoveryFrom && e.k === 'outcome' && e.outcome === 'response');
    return answered && answered.t - fault.recoveryFrom;
  }
  const hit = new Set(fault.partitions.map((p) => `${p.topic}:${p.partition}`));
  const first = (k: 'send' | 'deliver') =>
    history.find((e) => e.t >= fault.recoveryFrom && e.k === k && (e.k !== 'send' || e.status === 'ok') && hit.has(`${e.topic}:${'partition' in e ? e.partition : -1}`))?.t;
  const delivered = first('deliver');
  const acked = fault.kind.startsWith('member-') ? fault.recoveryFrom : first('send');
  if (delivered === undefined || acked === undefined) return undefined;
  return Math.max(delivered, acked) - fault.recoveryFrom;
}

export interface RecoverySummary {
  kind: FaultKind;
  count: number;
  p50: number | undefined;
  max: number | undefined;
  /** Faults after which no ack or delivery came at all. */
  unrecovered: number;
}

/** Recovery per fault kind: how many, the median and the worst. */
export function summarizeRecovery(faults: readonly FaultRecord[], history: readonly HistoryEntry[]): RecoverySummary[] {
  const byKind = new Map<FaultKind, Array<number | undefined>>();
  for (const f of faults) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), recoveryMs(f, history)]);
  return [...byKind].map(([kind, list]) => {
    const times = list.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
    return { kind, count: list.length, p50: times.length ? times[Math.floor((times.length - 1) / 2)] : undefined, max: times.at(-1), unrecovered: list.length - times.length };
  });
}
