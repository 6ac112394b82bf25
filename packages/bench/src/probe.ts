import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/**
 * What else happened on the machine and in this process while a measured run went on: its garbage collection,
 * system-call time, page faults and context switches, and the whole machine's iowait, steal and dirty pages.
 * A figure that moves between runs of the same code can then be told apart: a slower client (more GC or system
 * time per record) from a busier host (steal, iowait, writeback of earlier runs' data).
 */
export interface ProbeReport {
  /** Seconds this process spent in garbage collection, and how many collections were major (mark-compact). */
  readonly gcSeconds: number;
  readonly majorGcs: number;
  /** This process's V8 heap in use at the end, in MiB. */
  readonly heapUsedMiB: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  readonly majorFaults: number;
  readonly minorFaults: number;
  readonly involuntarySwitches: number;
  /** The whole machine's share of CPU time over the run in iowait and steal (0 to 1). */
  readonly iowaitShare: number;
  readonly stealShare: number;
  /** Dirty and writeback page cache at the end, in MiB. */
  readonly dirtyMiB: number;
}

function cpuTimes(): number[] {
  try {
    // cpu  user nice system idle iowait irq softirq steal ...
    return readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return [];
  }
}

function dirtyMiB(): number {
  try {
    const info = readFileSync('/proc/meminfo', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return (kb('Dirty') + kb('Writeback')) / 1024;
  } catch {
    return 0;
  }
}

/** Start watching; `stop()` reports what happened since. */
export function startProbe(): { stop(): ProbeReport } {
  const entries: PerformanceEntry[] = [];
  const gc = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  gc.observe({ entryTypes: ['gc'] });
  const usage = process.resourceUsage();
  const times = cpuTimes();
  return {
    stop() {
      entries.push(...gc.takeRecords());
      gc.disconnect();
      const now = process.resourceUsage();
      const after = cpuTimes();
      const delta = after.map((t, i) => t - (times[i] ?? 0));
      const total = delta.reduce((s, t) => s + t, 0) || 1;
      const kind = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      return {
        gcSeconds: entries.reduce((s, e) => s + e.duration, 0) / 1e3,
        majorGcs: entries.filter((e) => kind(e) === constants.NODE_PERFORMANCE_GC_MAJOR).length,
        heapUsedMiB: process.memoryUsage().heapUsed / 1024 / 1024,
        userSeconds: (now.userCPUTime - usage.userCPUTime) / 1e6,
        systemSeconds: (now.systemCPUTime - usage.systemCPUTime) / 1e6,
        majorFaults: now.majorPageFault - usage.majorPageFault,
        minorFaults: now.minorPageFault - usage.minorPageFault,
        involuntarySwitches: now.involuntaryContextSwitches - usage.involuntaryContextSwitches,
        iowaitShare: (delta[4] ?? 0) / total,
        stealShare: (delta[7] ?? 0) / total,
        dirtyMiB: dirtyMiB(),
      };
    },
  };
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** The host's side, for the bench log: iowait, steal and dirty pages over the run. */
export function describeHost(p: ProbeReport): string {
  return `host iowait ${pct(p.iowaitShare)}, steal ${pct(p.stealShare)}, dirty ${p.dirtyMiB.toFixed(0)} MiB`;
}

/** One line for the bench log: this process's CPU, GC and faults per record, then the host's side. */
export function describeProbe(p: ProbeReport, records: number): string {
  const us = (seconds: number) => ((seconds / records) * 1e6).toFixed(2);
  return (
    `us/record: user ${us(p.userSeconds)}, system ${us(p.systemSeconds)}, gc ${us(p.gcSeconds)} (${p.majorGcs} major, heap ${p.heapUsedMiB.toFixed(0)} MiB); ` +
    `faults ${p.majorFaults} major, ${p.minorFaults} minor; ${p.involuntarySwitches} involuntary switches; ${describeHost(p)}`
  );
}
