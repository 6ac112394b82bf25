import { spawn } from 'node:child_process';
import { processCpuSeconds } from './measure.js';

/** What ProducerPerformance prints on its last line. */
export interface ProducerPerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50: number;
  p95: number;
  p99: number;
}

/** What ConsumerPerformance prints in its data row. */
export interface ConsumerPerfResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Records/s once the group was joined (`fetch.nMsg.sec`): the rate without the join. */
  fetchRecordsPerSec: number;
}

/** Parse ProducerPerformance's summary: `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, p50 ms 50th, ...`. */
export function parseProducerPerf(output: string): ProducerPerfResult {
  const line = output.split('\n').reverse().find((l) => /records sent, .* records\/sec/.test(l));
  const m = line && /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(line);
  if (!m) throw new Error(`ProducerPerformance printed no summary line:\n${output.slice(-2000)}`);
  const n = m.slice(1).map(Number) as [number, number, number, number, number, number, number, number];
  return { records: n[0], recordsPerSec: n[1], mbPerSec: n[2], avgLatencyMs: n[3], maxLatencyMs: n[4], p50: n[5], p95: n[6], p99: n[7] };
}

/**
 * Parse ConsumerPerformance's output: a header line naming the columns (`start.time, end.time, data.consumed.in.MB,
 * MB.sec, data.consumed.in.nMsg, nMsg.sec, ...`) and one data row, comma separated.
 */
export function parseConsumerPerf(output: string): ConsumerPerfResult {
  const lines = output.split('\n').map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.includes('data.consumed.in.nMsg'));
  const header = lines[headerAt]?.split(',').map((c) => c.trim());
  const row = lines.slice(headerAt + 1).find((l) => l.split(',').length === header?.length)?.split(',').map((c) => c.trim());
  if (!header || !row) throw new Error(`ConsumerPerformance printed no data row:\n${output.slice(-2000)}`);
  const col = (name: string) => Number(row[header.indexOf(name)]);
  return { records: col('data.consumed.in.nMsg'), recordsPerSec: col('nMsg.sec'), mbPerSec: col('MB.sec'), fetchRecordsPerSec: col('fetch.nMsg.sec') };
}

/** Run a Kafka tool class to completion; resolves with its output and the CPU seconds it used. */
export function runJavaTool(java: string, classpath: string, mainClass: string, args: string[], timeoutMs: number): Promise<{ output: string; cpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(java, ['-Xmx512m', '-cp', classpath, mainClass, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let cpuSeconds = 0;
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // The tool's CPU is read from /proc while it runs; the last reading misses at most one poll interval.
    const poll = setInterval(() => (cpuSeconds = processCpuSeconds(child.pid!) ?? cpuSeconds), 100);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      if (code === 0) resolve({ output, cpuSeconds });
      else reject(new Error(`${mainClass} exited with ${signal ?? code}:\n${output.slice(-2000)}`));
    });
  });
}
