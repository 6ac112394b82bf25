// The README's first command: install everything a fresh machine needs, build, then run the demo.
import { install, pnpmCommand, run, step } from './lib.mjs';

const pnpm = pnpmCommand();
install(pnpm);
step('Building and type-checking every package');
run(pnpm[0], [...pnpm.slice(1), 'run', 'build']);
step('Running the demo');
run(pnpm[0], [...pnpm.slice(1), 'run', 'demo']);
