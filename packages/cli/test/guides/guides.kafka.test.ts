import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const brokers = inject('kafkaBrokers');
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');

/** Each guide's example, and lines of its output that show it did what its guide says. */
const examples: ReadonlyArray<readonly [file: string, expected: readonly RegExp[]]> = [
  ['getting-started.ts', [/^sent order\.placed at guide-orders-\w+:\d@0$/m, /^handled order\.placed \{"total":42\.5\}$/m, /^getting started: handled 2 of 2 order events$/m]],
  ['producing.ts', [/^kafka: payment\.authorized -> \S+:(\d)@0, payment\.captured -> \S+:\1@1$/m, /^memory: payment\.authorized -> \S+@0, payment\.captured -> \S+@1$/m, /^refused: PLUGIN_CONFIG at acks$/m, /^SEND_FAILED: failed 2, unknown 0 \(.*maxEventBytes\)\)$/m]],
  ['consuming.ts', [/^handled 4 order events from offset 4; committed 12, lag 0$/m, /^handled 6 order events from offset 0; committed 12, lag 0$/m, /^consuming: done$/m]],
  ['replay.ts', [/^replayed 100 ledger events of 150 records read \(100%\), amounts summing to 22400$/m, /^replay: 100 of the 100 ledger events/m]],
  ['request-response.ts', [/^quote: (12 from UK|14 from FR) for team web$/m, /^status of one session: UK$/m, /^filter: 2 of 2 pricing sessions answered$/m, /^no handler: NO_HANDLER$/m]],
  ['streams-gateway.ts', [/^listener: header \{"status":"running","step":1\} \| put \{"step":2\} \| put \{"step":3\} \| close$/m, /^remote: {3}header \{"status":"running","step":1\} \| put \{"step":2\} \| put \{"step":3\} \| close$/m]],
  ['commands-channels.ts', [/^processor ran 2 commands \(1 follow-up\): reserved 2 x A-1 \(correlation [0-9a-f]{8}\)$/m, /^group send reached 2 of 2 channels, 0 failed$/m, /^channel received \{"type":"chat\.message","text":"hello room"\}$/m]],
  ['operations.ts', [/^tributary_consumer_events_handled_total\{.*\} 4$/m, /^tributary_consumer_events_dead_lettered_total\{.*\} 1$/m, /^dead letter: invoice-3 from \S+ after 2 attempts: invoice invoice-3 has no customer$/m, /^stopped on SIGTERM: cleanly, state stopped$/m]],
];

const RUN_TIMEOUT_MS = 60_000;
/** Examples run at once: each is a process of its own, and the machine and its broker are shared. */
const AT_ONCE = 3;
let running = 0;
const waiting: Array<() => void> = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Run an example as its guide says to: `node scripts/run-ts.mjs <file>` with KAFKA_BROKERS set. */
function runExample(file: string): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'scripts', 'run-ts.mjs'), join(here, 'examples', file)], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: brokers.join(',') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // The example must end by itself; one that does not is killed and fails.
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    }),
  );
}

describe.concurrent("the guides' examples run against a real broker", () => {
  for (const [file, expected] of examples) {
    it(file, async () => {
      const ran = await slot(() => runExample(file));
      // Warnings (level 40) may come on a loaded machine; an error or an uncaught throw may not.
      expect(ran.stderr).not.toMatch(/"level":50|Error\b/);
      expect({ status: ran.status, signal: ran.signal }).toEqual({ status: 0, signal: null });
      for (const line of expected) expect(ran.stdout).toMatch(line);
    }, RUN_TIMEOUT_MS * 3);
  }
});
