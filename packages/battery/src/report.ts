import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { describeMachine } from '@tributary/test-kit';
import type { BatteryResult } from './battery.js';
import { ANOMALY_KINDS } from './checker.js';
import { FAULT_KINDS } from './faults/faults.js';

/** How many found anomalies of each kind the report quotes. */
const EXAMPLES_PER_KIND = 3;

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The anomaly table: every kind, found or not. */
export function anomalyTable(result: BatteryResult): string {
  const rows = ['| anomaly | found |', '| --- | ---: |'];
  for (const kind of ANOMALY_KINDS) rows.push(`| ${kind} | ${result.check.counts[kind] === 0 ? '0' : `**${result.check.counts[kind]}**`} |`);
  return rows.join('\n');
}

/** The fault table: every kind injected, with recovery times. */
export function faultTable(result: BatteryResult): string {
  const rows = ['| fault | injected | recovery p50 | recovery max | never recovered |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const kind of FAULT_KINDS) {
    const r = result.recovery.find((s) => s.kind === kind);
    if (r) rows.push(`| ${kind} | ${r.count} | ${seconds(r.p50)} | ${seconds(r.max)} | ${r.unrecovered} |`);
  }
  return rows.join('\n');
}

/** One run as a Markdown section. */
export function renderRun(result: BatteryResult, java: string, command: string, label?: string): string {
  const s = result.check.stats;
  const found = result.check.anomalies.length;
  const parts = [
    `## ${label ?? `${result.profile.name[0]!.toUpperCase()}${result.profile.name.slice(1)} profile`}, run of ${result.startedAt.toISOString()}`,
    '',
    `- Machine: ${hostname()}, ${describeMachine(java)}`,
    `- Kafka ${result.kafkaVersion}, three nodes started by the launcher (replication 3, min.insync.replicas 2, unclean leader election off); every client connection through the battery's loopback proxies`,
    `- Command: \`${command}\` (${result.durationSeconds.toFixed(0)} s)`,
    `- Load: ${result.profile.producers} producers at ${result.profile.rate} events/s each (acks=all, idempotence), ${result.profile.members} group members at the start; **${result.eventsPerSecond.toFixed(0)} events/s held** through the faults`,
    `- History: ${s.acked} sends ok, ${s.failed} failed, ${s.unknown} unknown; ${s.logRecords} records in the log; ${s.deliveries} deliveries; ${s.commits} commits; ${s.requests} requests; ${s.streamElements} stream elements received; ${s.commandsSent} commands acknowledged, ${s.commandRuns} executions (follow-ups included; ${s.commandReruns} a command run again)`,
    `- Result: ${found === 0 ? 'no anomaly' : `**${found} anomalies**`}`,
    '',
    '### Faults and recovery',
    '',
    faultTable(result),
    '',
    '### Anomalies',
    '',
    anomalyTable(result),
    '',
  ];
  if (found > 0) {
    parts.push('Examples:', '');
    for (const kind of ANOMALY_KINDS) for (const a of result.check.anomalies.filter((x) => x.kind === kind).slice(0, EXAMPLES_PER_KIND)) parts.push(`- ${kind}: ${a.message}`);
    parts.push('');
  }
  return parts.join('\n');
}

const MARK = '<!-- runs: the newest first, written by `pnpm battery` -->';

/**
 * Put a run at the top of the runs in the results document, below its fixed introduction (everything above the
 * runs marker, kept as written).
 */
export function writeReport(path: string, section: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = existsSync(path) ? readFileSync(path, 'utf8') : `# Reliability\n\n${MARK}\n`;
  const at = text.indexOf(MARK);
  const [intro, runs] = at < 0 ? [`${text.trimEnd()}\n\n${MARK}`, ''] : [text.slice(0, at + MARK.length), text.slice(at + MARK.length)];
  writeFileSync(path, `${intro}\n\n${section}${runs.trimStart() ? `\n${runs.trimStart()}` : ''}`);
}
