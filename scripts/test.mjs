// The README's second command, and exactly what CI runs: make sure everything is installed (a fresh clone
// has no node_modules), build and type-check, lint with the circular-import check, then every test against
// a real Kafka started once for the run.
import { install, pnpmCommand, run, step } from './lib.mjs';

const pnpm = pnpmCommand();
install(pnpm);
step('Building and type-checking every package');
run(pnpm[0], [...pnpm.slice(1), 'run', 'build']);
step('Lint and circular-import check');
run(pnpm[0], [...pnpm.slice(1), 'run', 'lint']);
step('Tests (unit, then against a real Kafka)');
run(pnpm[0], [...pnpm.slice(1), 'exec', 'vitest', 'run', ...process.argv.slice(2)]);
