import { spawnSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

/** Cores, CPU model, memory, Node, Java and OS of this machine, in one line: what results documents record. */
export function describeMachine(java: string): string {
  const cpu = cpus();
  // `java -version` prints to stderr.
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const javaVersion = `${probe.stderr ?? ''}${probe.stdout ?? ''}`.split('\n')[0] || 'unknown Java';
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${javaVersion.replace(/"/g, '')}, Linux ${release()}`;
}
