import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isTributaryError } from '@tributary/core';
import { resolveConnectionOptions, silentLogger, stderrLogger, type KafkaClientOptions, type SaslOptions, type TlsOptions } from '@tributary/kafka';
import { UsageError } from './errors.js';

/** The global options every command takes (commander's camel-cased names). */
export interface GlobalOptions {
  brokers?: string;
  config?: string;
  clientId?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsInsecure?: boolean;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
  timeout?: number;
  retries?: number;
  json?: boolean;
  verbose?: boolean;
}

/**
 * The config file: the Kafka layer's connection options as JSON or YAML. TLS material may be given inline (PEM)
 * or as files (`caFile`, `certFile`, `keyFile`), relative to the working directory.
 */
interface ConfigFile {
  brokers?: string[] | string;
  clientId?: string;
  tls?: boolean | (TlsOptions & { caFile?: string; certFile?: string; keyFile?: string });
  sasl?: Partial<SaslOptions>;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new UsageError(`Cannot read ${what} "${path}": ${(cause as Error).message}`, { path }, cause);
  }
}

function readConfigFile(path: string): ConfigFile {
  const text = readText(path, 'the config file');
  let parsed: unknown;
  try {
    parsed = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new UsageError(`The config file "${path}" is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML or JSON'}: ${(cause as Error).message}`, { path }, cause);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`The config file "${path}" must hold an object with brokers (and clientId, tls, sasl...)`, { path });
  return parsed as ConfigFile;
}

function brokerList(text: string): string[] {
  return text.split(',').map((b) => b.trim()).filter((b) => b !== '');
}

function fileTls(tls: ConfigFile['tls']): boolean | TlsOptions | undefined {
  if (tls === undefined || typeof tls === 'boolean') return tls;
  const { caFile, certFile, keyFile, ...rest } = tls;
  return {
    ...rest,
    ...(caFile ? { ca: readText(caFile, 'the TLS CA file') } : {}),
    ...(certFile ? { cert: readText(certFile, 'the TLS certificate file') } : {}),
    ...(keyFile ? { key: readText(keyFile, 'the TLS key file') } : {}),
  };
}

function flagTls(o: GlobalOptions, base: boolean | TlsOptions | undefined): boolean | TlsOptions | undefined {
  const any = o.tls || o.tlsCa || o.tlsCert || o.tlsKey || o.tlsInsecure;
  if (!any) return base;
  return {
    ...(typeof base === 'object' ? base : {}),
    ...(o.tlsCa ? { ca: readText(o.tlsCa, 'the TLS CA file') } : {}),
    ...(o.tlsCert ? { cert: readText(o.tlsCert, 'the TLS certificate file') } : {}),
    ...(o.tlsKey ? { key: readText(o.tlsKey, 'the TLS key file') } : {}),
    ...(o.tlsInsecure ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * The connection options of a run, each setting from the first place that has it: a flag, then the environment
 * (`KAFKA_BROKERS`, `KAFKA_SASL_PASSWORD`), then the config file. Checked here, before anything connects, by the
 * Kafka layer's own validation, so a wrong setting is a usage error naming it.
 * @throws UsageError (exit 2) when no broker is given, or a setting or the file is wrong.
 */
export function connectionOptions(o: GlobalOptions, env: NodeJS.ProcessEnv = process.env): KafkaClientOptions {
  const file = o.config ? readConfigFile(o.config) : {};
  const brokers = o.brokers ? brokerList(o.brokers) : env.KAFKA_BROKERS ? brokerList(env.KAFKA_BROKERS) : typeof file.brokers === 'string' ? brokerList(file.brokers) : file.brokers;
  if (!brokers || brokers.length === 0) throw new UsageError('No brokers: pass --brokers host:port[,host:port], set KAFKA_BROKERS, or give a --config file with brokers', { option: 'brokers' });
  const mechanism = o.saslMechanism ?? file.sasl?.mechanism;
  const sasl = mechanism === undefined && !o.saslUsername && !file.sasl ? undefined : {
    ...file.sasl,
    ...(mechanism ? { mechanism } : {}),
    ...(o.saslUsername ? { username: o.saslUsername } : {}),
    ...((o.saslPassword ?? env.KAFKA_SASL_PASSWORD) !== undefined ? { password: o.saslPassword ?? env.KAFKA_SASL_PASSWORD } : {}),
  };
  const tls = flagTls(o, fileTls(file.tls));
  const options: KafkaClientOptions = {
    brokers,
    clientId: o.clientId ?? file.clientId ?? 'tributary-cli',
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined ? {} : { sasl: sasl as SaslOptions }),
    connectionTimeoutMs: o.timeout ?? file.connectionTimeoutMs ?? 3000,
    requestTimeoutMs: o.timeout ?? file.requestTimeoutMs ?? 30_000,
    retries: o.retries ?? file.retries ?? 5,
    // kafkajs' own warnings would interleave with the output; --verbose shows them.
    logger: o.verbose ? stderrLogger : silentLogger,
  };
  try {
    resolveConnectionOptions(options);
  } catch (error) {
    if (isTributaryError(error)) throw new UsageError(`Connection setting ${error.message}`, { ...error.context }, error);
    throw error;
  }
  return options;
}
