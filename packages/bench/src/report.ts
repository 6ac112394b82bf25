import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ratio, type Figure } from './figures.js';

export interface RunInfo {
  date: string;
  machine: string;
  kafkaVersion: string;
  broker: string;
  durationSeconds: number;
  command: string;
}

export { describeMachine } from '@tributary/test-kit';

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2);
}

/** A bound on the figure itself, met or not: `<= 5 ms met`. */
function boundCell(f: Figure): string {
  if (!f.bound) return '';
  const [sign, limit, met] = 'atMost' in f.bound ? ['<=', f.bound.atMost, f.value <= f.bound.atMost] : ['>=', f.bound.atLeast, f.value >= f.bound.atLeast];
  return `${sign} ${fmt(limit)} ${f.unit} ${met ? 'met' : '**not met**'}`;
}

function table(figures: Figure[]): string {
  const rows = ['| figure | value | anchor | anchor value | ratio | target | CPU s (client / broker) | notes |', '| --- | ---: | --- | ---: | ---: | --- | --- | --- |'];
  for (const f of figures) {
    const cpu = f.cpu ? `${f.cpu.client.toFixed(1)} / ${f.cpu.broker?.toFixed(1) ?? '-'}` : '';
    const anchors = f.anchors.length > 0 ? f.anchors : [undefined];
    anchors.forEach((a, i) => {
      const r = a ? ratio(f, a) : undefined;
      const target = [i === 0 ? boundCell(f) : '', f.target && a && f.target.anchor === a.name ? `>= ${f.target.ratio} ${r !== undefined && r >= f.target.ratio ? 'met' : '**not met**'}` : ''].filter(Boolean).join('; ');
      rows.push(`| ${i === 0 ? f.name : ''} | ${i === 0 ? `${fmt(f.value)} ${f.unit}` : ''} | ${a?.name ?? ''} | ${a ? fmt(a.value) : ''} | ${r !== undefined ? r.toFixed(2) : ''} | ${target} | ${i === 0 ? cpu : ''} | ${i === 0 ? (f.notes ?? '') : ''} |`);
    });
  }
  return rows.join('\n');
}

/** Render one run as a Markdown section. */
export function renderRun(info: RunInfo, figures: Figure[], titles: Map<string, string>): string {
  const bySuite = new Map<string, Figure[]>();
  for (const f of figures) bySuite.set(f.suite, [...(bySuite.get(f.suite) ?? []), f]);
  const parts = [
    `## Run of ${info.date}`,
    '',
    `- Machine: ${info.machine}`,
    `- Kafka ${info.kafkaVersion}, ${info.broker}`,
    `- Command: \`${info.command}\` (${info.durationSeconds.toFixed(0)} s)`,
    '',
  ];
  for (const [suite, list] of bySuite) parts.push(`### ${titles.get(suite) ?? suite}`, '', table(list), '');
  return parts.join('\n');
}

const HEADER = `# Benchmark results

Written by \`pnpm bench\`; the newest run comes first. Every figure is measured on one broker in one run,
beside its anchors (Kafka's own Java perf tools and raw kafkajs on the same workload), and given as a ratio
to them. On two cores the load generator and the broker share the CPU, so each figure also lists the CPU
seconds both used. Targets come from the project's issues; "not met" is reported, never hidden.

`;

/** Prepend a run to the results document (and its figures to the JSON beside it). */
export function writeReport(path: string, section: string, info: RunInfo, figures: Figure[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const previous = existsSync(path) ? readFileSync(path, 'utf8').replace(HEADER, '') : '';
  writeFileSync(path, `${HEADER}${section}\n${previous}`);
  const jsonPath = path.replace(/\.md$/, '.json');
  const runs = existsSync(jsonPath) ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as unknown[]) : [];
  writeFileSync(jsonPath, `${JSON.stringify([{ ...info, figures }, ...runs], null, 2)}\n`);
}
