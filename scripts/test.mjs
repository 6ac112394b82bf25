// The README's second command, and exactly what CI runs: make sure everything is installed (a fresh clone
// has no node_modules), build and type-check, lint with the circular-import check, then every test against
// a real Kafka started once for the run.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, install, node24, pnpmCommand, run, step } from './lib.mjs';

const pnpm = pnpmCommand();
install(pnpm);
step('Building and type-checking every package');
run(pnpm[0], [...pnpm.slice(1), 'run', 'build']);
step('Lint and circular-import check');
run(pnpm[0], [...pnpm.slice(1), 'run', 'lint']);
step('Tests (unit, then against a real Kafka)');
const results = join(ROOT, '.cache', 'vitest-results.json');
mkdirSync(join(ROOT, '.cache'), { recursive: true });
run(pnpm[0], [...pnpm.slice(1), 'exec', 'vitest', 'run', `--reporter=${process.env.CI ? 'verbose' : 'default'}`, '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)]);
// One plain closing line, so a reader (or CI) sees the count without parsing vitest's report.
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}

// The reliability battery's quick profile: faults on a three-node cluster, then the independent checker (exit 1 on
// any anomaly). Its figures go to .cache: docs/reliability.md is written by deliberate runs of `pnpm battery`.
step('Reliability battery (quick profile)');
run(pnpm[0], [...pnpm.slice(1), 'run', 'battery', '--profile', 'quick', '--out', join(ROOT, '.cache', 'reliability.md')]);

// The unit tests again on current Node (Node 20 left support in April 2026), so a break there is caught.
step('Unit tests on Node 24');
const node = node24();
if (node) run(node, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'unit', `--reporter=${process.env.CI ? 'verbose' : 'default'}`]);
