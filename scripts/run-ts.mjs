// Run a TypeScript entry point from source: workspace packages resolve through the tributary-source condition.
// The entry runs as a child; SIGINT, SIGTERM and SIGHUP sent to this wrapper are forwarded to it (a signal sent to
// the wrapper's pid alone, as `kill -INT <pid>` of `pnpm kafka start` does, would otherwise leave the child, and
// the Kafka JVMs it started, running), and the wrapper exits with the child's code.
import { spawn } from 'node:child_process';

const [file, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', 'tsx', file, ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal ? 143 : 1)));
