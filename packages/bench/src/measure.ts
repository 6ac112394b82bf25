import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startProbe, type ProbeReport } from './probe.js';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Write the page cache's dirty pages back (`sync`) before a measured run. The broker's log of earlier runs is
 * otherwise written back whenever the kernel gets to it: a consumer round during which 2 GiB were written back
 * read a sixth slower than the rounds beside it, with 11% iowait. Skipped where there is no `sync`.
 */
export function writeBack(): void {
  try {
    execFileSync('sync', { timeout: 120_000, stdio: 'ignore' });
  } catch {
    // No sync command (or it timed out): the run goes on as it would have.
  }
}

/**
 * Elapsed and CPU seconds of `fn` (after {@link writeBack}): the client's CPU (this process's, plus that of
 * `clientPids`, the client's other processes), and the broker's when its pid is known; `probe` tells what else
 * this process and the host did meanwhile (GC, system time, iowait, steal).
 */
export async function measure<T>(fn: () => Promise<T>, brokerPid?: number, clientPids: readonly number[] = []): Promise<{ result: T; seconds: number; cpu: { client: number; broker?: number }; probe: ProbeReport }> {
  writeBack();
  const brokerBefore = brokerPid === undefined ? undefined : processCpuSeconds(brokerPid);
  const othersBefore = clientPids.map((pid) => processCpuSeconds(pid) ?? 0);
  const probe = startProbe();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const brokerAfter = brokerPid === undefined ? undefined : processCpuSeconds(brokerPid);
  const others = clientPids.reduce((sum, pid, i) => sum + (processCpuSeconds(pid) ?? othersBefore[i]!) - othersBefore[i]!, 0);
  return {
    result,
    seconds,
    probe: probe.stop(),
    cpu: {
      client: (cpu.user + cpu.system) / 1e6 + others,
      ...(brokerBefore !== undefined && brokerAfter !== undefined ? { broker: brokerAfter - brokerBefore } : {}),
    },
  };
}

/** Sample this process's RSS every 50 ms while `fn` runs; resolves with the highest sample in MiB. */
export async function sampleRssMiB<T>(fn: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  try {
    const result = await fn();
    return { result, peakMiB: Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/** The middle value (the mean of the two middle ones for an even count): what interleaved rounds report. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round whose `value` is the median (the lower of the two middle ones for an even count): its other figures go with it. */
export function medianRound<T>(rounds: readonly T[], value: (round: T) => number): T {
  const sorted = [...rounds].sort((a, b) => value(a) - value(b));
  return sorted[(sorted.length - 1) >> 1]!;
}
