#!/usr/bin/env node
// The `tributary` bin: runs the command line from its TypeScript source (workspace packages resolve through the
// tributary-source condition, tsx compiles), passing stdin/stdout/stderr through and forwarding SIGINT, SIGTERM
// and SIGHUP, so `kill -INT` of this process stops the command as Ctrl-C does. Exits with the command's code.
import { spawn } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';

const entry = fileURLToPath(new URL('../src/tributary.ts', import.meta.url));
// tsx by its resolved URL, so the bin works from any working directory (after `npm i -g`, say).
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=tributary-source', '--import', tsx, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal ? 143 : 1)));
