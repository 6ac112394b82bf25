import { ErrorCodes, InvalidArgumentError, isTributaryError } from '@tributary/core';

/** Exit codes of every `tributary` command: 0 done, 1 a runtime failure (Kafka, IO), 2 a usage error. */
export const ExitCodes = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/**
 * A command line that cannot be run as given (a missing argument, a malformed value, a bad config file): exit 2.
 * An INVALID_ARGUMENT error, so it reads like every other Tributary error.
 */
export class UsageError extends InvalidArgumentError {}

/**
 * A command that runs another program (the benchmark runner) ends with that program's failure: the program has
 * said why on stderr, so nothing more is printed, and the exit code is the program's.
 */
export class ChildProgramFailed extends Error {
  constructor(
    readonly program: string,
    readonly exitCode: number,
  ) {
    super(`${program} exited with code ${exitCode}`);
    this.name = 'ChildProgramFailed';
  }
}

/** Bad input (INVALID_ARGUMENT) is a usage error whoever found it; everything else is a runtime failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ChildProgramFailed) return error.exitCode;
  return isTributaryError(error) && error.code === ErrorCodes.INVALID_ARGUMENT ? ExitCodes.USAGE : ExitCodes.FAILURE;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * The error as the user reads it on stderr: one line, `tributary: CODE: message`. With `verbose`, one more line
 * per cause in the chain (the wrapped kafkajs or system error), then the stack of the first.
 */
export function formatError(error: unknown, verbose: boolean): string {
  const head = isTributaryError(error) ? `${error.code}: ${oneLine(error.message)}` : oneLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  const lines = [`tributary: ${head}`];
  if (!verbose) return `${lines[0]}\n`;
  const seen = new Set<unknown>([error]);
  for (let cause = (error as { cause?: unknown })?.cause; cause !== undefined && cause !== null && !seen.has(cause); cause = (cause as { cause?: unknown }).cause) {
    seen.add(cause);
    const c = cause as { name?: string; message?: string; code?: unknown; type?: unknown };
    const kind = isTributaryError(cause) ? cause.code : (c.type ?? c.code ?? c.name ?? 'Error');
    lines.push(`  caused by ${String(kind)}: ${oneLine(String(c.message ?? cause))}`);
  }
  if (isTributaryError(error) && Object.keys(error.context).length > 0) lines.push(`  context: ${JSON.stringify(error.context, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  if (error instanceof Error && error.stack) lines.push(error.stack.split('\n').slice(1).join('\n'));
  return `${lines.join('\n')}\n`;
}
