// Run a TypeScript entry point from source: workspace packages resolve through the tributary-source condition.
import { spawnSync } from 'node:child_process';

const [file, ...args] = process.argv.slice(2);
const result = spawnSync(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', file, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
