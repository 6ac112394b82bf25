/**
 * `pnpm battery [--profile quick|soak] [--minutes N] [--out docs/reliability.md] [--keep-history]`: run the
 * reliability battery, write its figures to the results document, and exit 1 when any anomaly was found.
 */
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findJava } from '@tributary/test-kit';
import { PROFILES, runBattery, type Profile } from './battery.js';
import { FAULT_KINDS, type FaultKind } from './faults/faults.js';
import { anomalyTable, faultTable, renderRun, writeReport } from './report.js';

const USAGE = 'Usage: pnpm battery [--profile quick|soak] [--minutes N] [--out docs/reliability.md] [--keep-history] [--label TEXT] [--faults kind,kind]';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { profile: { type: 'string', default: 'quick' }, minutes: { type: 'string' }, out: { type: 'string' }, 'keep-history': { type: 'boolean' }, label: { type: 'string' }, faults: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return (console.log(USAGE), 0);
  const base = PROFILES[values.profile as Profile['name']];
  if (!base) throw new Error(`Unknown profile "${values.profile}".\n${USAGE}`);
  const minutes = values.minutes === undefined ? base.minutes : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes must be a positive number, got "${values.minutes}".\n${USAGE}`);
  const faults = values.faults?.split(',') as FaultKind[] | undefined;
  const unknown = faults?.filter((f) => !FAULT_KINDS.includes(f));
  if (unknown?.length) throw new Error(`Unknown fault(s) ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
  const profile: Profile = { ...base, minutes, ...(faults ? { faults, commands: base.commands || faults.includes('processor-killed') } : {}) };
  const log = (line: string) => console.log(`[battery] ${line}`);
  const result = await runBattery(profile, log);
  const command = `pnpm battery ${process.argv.slice(2).join(' ')}`.trim();
  const { java } = await findJava();
  writeReport(values.out ?? 'docs/reliability.md', renderRun(result, java, command, values.label));
  const found = result.check.anomalies.length;
  console.log(`\n${faultTable(result)}\n\n${anomalyTable(result)}\n`);
  for (const a of result.check.anomalies.slice(0, 20)) console.log(`- ${a.kind}: ${a.message}`);
  console.log(`[battery] ${result.eventsPerSecond.toFixed(0)} events/s held, ${result.faults.length} faults, ${found === 0 ? 'no anomaly' : `${found} ANOMALIES (history kept in ${result.historyDir})`}`);
  writeFileSync(join(result.historyDir, 'faults.json'), `${JSON.stringify(result.faults, null, 2)}\n`);
  writeFileSync(join(result.historyDir, 'anomalies.json'), `${JSON.stringify(result.check.anomalies, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  if (found === 0 && !values['keep-history']) await rm(result.historyDir, { recursive: true, force: true });
  else console.log(`[battery] history: ${result.historyDir}`);
  return found === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
