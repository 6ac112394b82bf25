/**
 * The `tributary` command line. Every command takes the connection options (flags, KAFKA_BROKERS, --config),
 * prints a table on a terminal and JSON lines when piped or with --json, and exits 0 when done, 1 on a runtime
 * failure and 2 on a usage error, with the failure as one line on stderr.
 */
import { runCli } from './cli/program.js';
import { createProgram } from './program.js';

process.exitCode = await runCli(createProgram(), process.argv.slice(2));
