import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaRuntimeError } from '../errors.js';
import { track } from '../runtime/process-registry.js';

/** The folder of Java sources and settings shipped with this package (`java/`, listed in package.json "files"). */
export const JAVA_TOOLS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'java');

/** One short-lived Kafka tool run: a main class from the jars, or a single-file source program. */
export interface JavaToolRun {
  /** Name for error messages, such as `CorpusWriter write` or `ConsoleProducer`. */
  tool: string;
  java: string;
  classpath: string;
  /** A main class name, or the path of a `.java` source file (run without a compile step). */
  main: string;
  args: readonly string[];
  /** Written to the tool's stdin, which is then closed. Without it, stdin is closed at once. */
  stdin?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface JavaToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** C1 only and a serial GC: these tools run for seconds, where start-up time is most of the cost. */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx512m', '-Djava.awt.headless=true'];

/**
 * Run a Kafka Java tool to completion and return its output. The child is killed by its pid (SIGKILL) when
 * the timeout passes or `signal` aborts, and whenever this Node process exits first.
 * @throws TributaryError TIMEOUT or ABORTED; KafkaRuntimeError `java-missing` when java cannot be spawned,
 *   `not-ready` when the tool exits with a non-zero status (the message ends with its last stderr lines).
 */
export function runJavaTool(run: JavaToolRun): Promise<JavaToolResult> {
  const args = [...JVM_FLAGS, `-Dlog4j.configuration=file:${join(JAVA_TOOLS_DIR, 'log4j.properties')}`, '-cp', run.classpath, run.main, ...run.args];
  return new Promise((resolvePromise, reject) => {
    if (run.signal?.aborted) return reject(aborted(run));
    const child = spawn(run.java, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    track(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    // Why the tool was stopped, made once its last output is known.
    let failure: ((tail: string) => Error) | undefined;
    const stop = (error: (tail: string) => Error) => {
      failure ??= error;
      try {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      } catch {
        // It exited in the meantime; 'close' follows.
      }
    };
    const timer = setTimeout(
      () => stop((tail) => new TributaryError(ErrorCodes.TIMEOUT, `${run.tool} did not finish within ${run.timeoutMs} ms. Its last output:\n${tail}`, { context: { tool: run.tool, timeoutMs: run.timeoutMs } })),
      run.timeoutMs,
    );
    const onAbort = () => stop(() => aborted(run));
    run.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A tool that dies before reading all of stdin makes the pipe fail; its exit status tells the story.
    child.stdin.on('error', () => {});
    child.stdin.end(run.stdin ?? '');
    const settle = () => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (cause) => {
      // Only a failed spawn leaves no pid; other errors (a failed kill) are followed by 'close'.
      if (child.pid !== undefined) return;
      settle();
      reject(new KafkaRuntimeError('java-missing', `Could not start java for ${run.tool}: ${cause.message}`, { tool: run.tool, java: run.java }, cause));
    });
    child.once('close', (code) => {
      settle();
      const result = { code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
      const tail = result.stderr.trim().split('\n').slice(-30).join('\n');
      if (failure) return reject(failure(tail));
      if (result.code !== 0) {
        return reject(new KafkaRuntimeError('not-ready', `${run.tool} exited with status ${result.code}. Its last output:\n${tail}`, { tool: run.tool, exitCode: result.code }));
      }
      resolvePromise(result);
    });
  });
}

function aborted(run: JavaToolRun): TributaryError {
  return new TributaryError(ErrorCodes.ABORTED, `${run.tool} was aborted`, { context: { tool: run.tool }, cause: run.signal?.reason });
}
