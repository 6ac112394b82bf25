import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { KafkaRuntimeError } from '../errors.js';
import { exec } from '../internal/exec.js';
import type { NodeLayout } from './config.js';
import { track } from './process-registry.js';

/** How the JVM of one node is run. */
export interface JvmSettings {
  java: string;
  classpath: string;
  heapMb: number;
  /** C1 only: a faster start for functional tests; never for throughput runs. */
  fastStart: boolean;
  log4jConfig: string;
}

const READY = 'Kafka Server started';
const FATAL = [/Exiting Kafka/, /\bFATAL\b/, /Address already in use/];
const TAIL_LINES = 60;

/** Memory figures of a running node. */
export interface NodeStats {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number | undefined;
  heapMaxBytes: number;
}

/**
 * One KRaft broker+controller JVM that the launcher started. It is signalled only by the pid it was started
 * with; `kill`, `pause` and `resume` are the fault-injection primitives (SIGKILL, SIGSTOP, SIGCONT).
 */
export class KafkaNode {
  readonly layout: NodeLayout;
  readonly #jvm: JvmSettings;
  readonly #propertiesFile: string;
  readonly #logFile: string;
  #child: ChildProcess | undefined;
  #tail: string[] = [];
  #log: WriteStream | undefined;
  #startedAt = 0;
  /** Milliseconds from spawn to the "Kafka Server started" line, for the last start. */
  startupMs = 0;

  constructor(layout: NodeLayout, jvm: JvmSettings, propertiesFile: string, logFile: string) {
    this.layout = layout;
    this.#jvm = jvm;
    this.#propertiesFile = propertiesFile;
    this.#logFile = logFile;
  }

  get nodeId(): number {
    return this.layout.nodeId;
  }

  /** The node's client address, `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.layout.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** The last lines the broker printed, for error messages. */
  get recentOutput(): string {
    return this.#tail.join('\n');
  }

  /**
   * Spawn the JVM and resolve when it logs "Kafka Server started" (it is unfenced and accepting clients).
   * @throws KafkaRuntimeError `port-in-use` or `broker-exited` with the broker's last lines, `not-ready` on timeout.
   */
  async start(timeoutMs = 90_000): Promise<void> {
    if (this.running) return;
    const jvm = this.#jvm;
    const args = [
      `-Xms${jvm.heapMb}m`, `-Xmx${jvm.heapMb}m`,
      '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true',
      ...(jvm.fastStart ? ['-XX:TieredStopAtLevel=1', '-Xshare:auto'] : []),
      `-Dlog4j.configuration=file:${jvm.log4jConfig}`,
      '-cp', jvm.classpath, 'kafka.Kafka', this.#propertiesFile,
    ];
    this.#tail = [];
    this.#log = createWriteStream(this.#logFile, { flags: 'a' });
    this.#startedAt = Date.now();
    const child = spawn(jvm.java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    track(child);
    await this.#awaitReady(child, timeoutMs);
    this.startupMs = Date.now() - this.#startedAt;
  }

  #awaitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          if (child.pid && child.exitCode === null) child.kill('SIGKILL');
          reject(error);
        } else resolve();
      };
      const onLine = (line: string) => {
        this.#log?.write(`${line}\n`);
        this.#tail.push(line);
        if (this.#tail.length > TAIL_LINES) this.#tail.shift();
        if (settled) return;
        if (line.includes(READY)) finish();
        else if (FATAL.some((re) => re.test(line))) finish(this.#failure(line));
      };
      createInterface({ input: child.stdout! }).on('line', onLine);
      createInterface({ input: child.stderr! }).on('line', onLine);
      child.once('exit', (code, signal) => finish(this.#failure(`exited with ${signal ?? `code ${code}`}`)));
      child.once('error', (cause) => finish(new KafkaRuntimeError('java-missing', `Could not start java for Kafka node ${this.nodeId}: ${cause.message}`, { nodeId: this.nodeId }, cause)));
      const timer = setTimeout(() => finish(new KafkaRuntimeError('not-ready', `Kafka node ${this.nodeId} did not log "${READY}" within ${timeoutMs} ms. Last output:\n${this.recentOutput}`, { nodeId: this.nodeId, logFile: this.#logFile })), timeoutMs);
    });
  }

  #failure(what: string): KafkaRuntimeError {
    const inUse = /Address already in use/.test(this.recentOutput + what);
    const reason = inUse ? 'port-in-use' : 'broker-exited';
    const message = inUse
      ? `Kafka node ${this.nodeId} could not bind port ${this.layout.port} or ${this.layout.controllerPort}: address already in use.`
      : `Kafka node ${this.nodeId} failed to start (${what}). Last output:\n${this.recentOutput}`;
    return new KafkaRuntimeError(reason, message, { nodeId: this.nodeId, port: this.layout.port, controllerPort: this.layout.controllerPort, logFile: this.#logFile });
  }

  /** Controlled shutdown: SIGTERM, then SIGKILL if the JVM has not exited after `deadlineMs`. */
  async stop(deadlineMs = 20_000): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.#closeLog();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // A paused JVM cannot handle SIGTERM until it is continued.
    this.#signal('SIGCONT');
    this.#signal('SIGTERM');
    const timer = setTimeout(() => this.#signal('SIGKILL'), deadlineMs);
    await exited;
    clearTimeout(timer);
    await this.#closeLog();
  }

  /** SIGKILL: the broker dies at once, as in a machine crash. Resolves when it has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#signal('SIGKILL');
    await exited;
    await this.#closeLog();
  }

  /** SIGSTOP: the broker freezes (a long GC pause or a hung host), keeping its sockets open. */
  pause(): void {
    this.#signal('SIGSTOP');
  }

  /** SIGCONT: a paused broker goes on. */
  resume(): void {
    this.#signal('SIGCONT');
  }

  /** Stop (controlled) and start again with the same data and ports. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Resident memory from /proc, and the heap in use from `jcmd` where the JDK has it. */
  async stats(): Promise<NodeStats | undefined> {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    let heapUsedBytes: number | undefined;
    try {
      const jcmd = join(this.#jvm.java, '..', 'jcmd');
      const out = await exec(this.#jvm.java === 'java' ? 'jcmd' : jcmd, [String(pid), 'GC.heap_info']);
      const used = /used (\d+)K/.exec(out.stdout)?.[1];
      heapUsedBytes = used ? Number(used) * 1024 : undefined;
    } catch {
      heapUsedBytes = undefined;
    }
    return { pid, rssBytes: rssKb * 1024, heapUsedBytes, heapMaxBytes: this.#jvm.heapMb * 1024 * 1024 };
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // The process exited between the check and the signal.
    }
  }

  #closeLog(): Promise<void> {
    const log = this.#log;
    this.#log = undefined;
    return new Promise((resolve) => (log ? log.end(resolve) : resolve()));
  }
}
