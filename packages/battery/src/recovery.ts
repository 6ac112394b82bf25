import type { FaultKind, FaultRecord } from './faults/faults.js';
import type { HistoryEntry } from './history.js';

/**
 * Milliseconds from a fault's `recoveryFrom` until the system made progress again where the fault hit, or
 * undefined when the history shows none. What "recovered" means, by fault:
 * - broker and network faults: the first successful ack and the first delivery on the partitions hit (the later
 *   of the two). For faults measured from their start (a leader killed or frozen), only an ack of a send begun
 *   after the start counts (one in flight when the fault began tells nothing of the fail-over), and a delivery
 *   after that ack: the partitions take writes again, and members read them again;
 * - member faults: the first delivery on the victim's partitions (producers do not notice those);
 * - responder killed: the first response;
 * - stream listener restarted: the new listener's first put after its header (it listens again, and the stream
 *   flows to it);
 * - command processor killed: the first execution, by another processor, of a command sent to a partition the
 *   victim owned.
 * Lines the victim itself wrote never count.
 */
export function recoveryMs(fault: FaultRecord, history: readonly HistoryEntry[]): number | undefined {
  const from = fault.recoveryFrom;
  const after = history.filter((e) => e.t >= from && (fault.victim === undefined || e.w !== fault.victim));
  const since = (t: number | undefined) => t && t - from;
  switch (fault.kind) {
    case 'responder-killed':
      return since(after.find((e) => e.k === 'outcome' && e.outcome === 'response')?.t);
    case 'listener-restarted':
      return since(after.find((e) => e.k === 'stream' && !e.header)?.t);
    case 'processor-killed': {
      const hit = new Set(fault.partitions.map((p) => p.partition));
      const sentTo = new Map<string, number | undefined>();
      for (const e of history) if (e.k === 'command-send' && e.id !== undefined) sentTo.set(e.id, e.partition);
      return since(after.find((e) => e.k === 'command-run' && sentTo.has(e.id) && (hit.size === 0 || hit.has(sentTo.get(e.id)!)))?.t);
    }
    default:
      return logRecoveryMs(fault, history, after);
  }
}

function logRecoveryMs(fault: FaultRecord, history: readonly HistoryEntry[], after: readonly HistoryEntry[]): number | undefined {
  const from = fault.recoveryFrom;
  const hit = new Set(fault.partitions.map((p) => `${p.topic}:${p.partition}`));
  const fromStart = fault.recoveryFrom === fault.startedAt;
  // When each payload's send began (older histories do not say: then its outcome's time stands in).
  const sentAt = new Map<string, number>();
  if (fromStart) for (const e of history) if (e.k === 'send') sentAt.set(e.id, e.sentAt ?? e.t);
  const begunAfter = (id: string) => !fromStart || (sentAt.get(id) ?? Infinity) >= from;
  const acked = fault.kind.startsWith('member-') ? from : after.find((e) => e.k === 'send' && e.status === 'ok' && hit.has(`${e.topic}:${e.partition ?? -1}`) && begunAfter(e.id))?.t;
  if (acked === undefined) return undefined;
  // Read again: a delivery once the partitions take writes again (for a fault measured from its start, a record
  // handled before that may have been fetched before the fault).
  const delivered = after.find((e) => e.k === 'deliver' && hit.has(`${e.topic}:${e.partition}`) && (!fromStart || e.t >= acked))?.t;
  return delivered === undefined ? undefined : Math.max(delivered, acked) - from;
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
