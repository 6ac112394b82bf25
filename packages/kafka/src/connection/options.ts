import { InvalidArgumentError, quote } from '@tributary/core';

/** TLS towards the brokers: `true` trusts the system's CAs; an object adds a CA, a client certificate, or both. */
export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of the system's. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate, for mutual TLS. */
  cert?: string | Buffer;
  /** PEM private key of `cert`. */
  key?: string | Buffer;
  passphrase?: string;
  /** Default true. Turn off only against a test broker with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  /** The name to check the broker's certificate against, when it differs from the host dialled. */
  servername?: string;
}

/** SASL authentication (Kafka's PLAIN and SCRAM mechanisms). */
export interface SaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/**
 * How to reach a Kafka cluster: the one option set every Tributary component takes (producer plugin, consumer
 * group, reader, replay source, command line). Only `brokers` is required.
 */
export interface KafkaConnectionOptions {
  /** Bootstrap addresses, `host:port`. */
  brokers: readonly string[];
  /** Sent with every request; shows in broker logs and quotas. Default `tributary`. */
  clientId?: string;
  /** TLS: `true` for the system's trust store, or CA / client certificate. Default off. */
  tls?: boolean | TlsOptions;
  sasl?: SaslOptions;
  /** Milliseconds to open a connection. Default 3000. */
  connectionTimeoutMs?: number;
  /** Milliseconds a request may take before it counts as lost. Default 30000. */
  requestTimeoutMs?: number;
  /** Attempts of a retriable request (and of the first connection) before it fails. Default 5. */
  retries?: number;
}

/** The options checked, with defaults filled in. */
export interface ResolvedConnectionOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly tls: false | TlsOptions;
  readonly sasl: SaslOptions | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retries: number;
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const BROKER = /^[^\s:]+:\d{1,5}$/;

function fail(path: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`${path} must be ${expected}, got ${quote(value)}`, { option: path, value, expected });
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function integer(path: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) fail(path, `an integer >= ${min}`, value);
  return value;
}

function pem(path: string, value: unknown, list: boolean): void {
  const one = (v: unknown) => typeof v === 'string' || Buffer.isBuffer(v);
  if (value === undefined || one(value) || (list && Array.isArray(value) && value.every(one))) return;
  fail(path, list ? 'PEM text, a Buffer, or an array of them' : 'PEM text or a Buffer', value);
}

function resolveTls(path: string, value: unknown): false | TlsOptions {
  if (value === undefined || value === false) return false;
  if (value === true) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'a boolean or { ca, cert, key, passphrase, rejectUnauthorized, servername }', value);
  const t = value as TlsOptions;
  pem(`${path}.ca`, t.ca, true);
  pem(`${path}.cert`, t.cert, false);
  pem(`${path}.key`, t.key, false);
  if ((t.cert === undefined) !== (t.key === undefined)) fail(`${path}.${t.cert === undefined ? 'cert' : 'key'}`, 'given together with its pair (cert and key)', undefined);
  if (t.rejectUnauthorized !== undefined && typeof t.rejectUnauthorized !== 'boolean') fail(`${path}.rejectUnauthorized`, 'a boolean', t.rejectUnauthorized);
  for (const name of ['passphrase', 'servername'] as const) if (t[name] !== undefined && typeof t[name] !== 'string') fail(`${path}.${name}`, 'a string', t[name]);
  return { ...t };
}

function resolveSasl(path: string, value: unknown): SaslOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) fail(path, "{ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password }", value);
  const s = value as Partial<SaslOptions>;
  if (!SASL_MECHANISMS.includes(s.mechanism as SaslOptions['mechanism'])) fail(`${path}.mechanism`, SASL_MECHANISMS.map((m) => `'${m}'`).join(', '), s.mechanism);
  if (typeof s.username !== 'string' || s.username === '') fail(`${path}.username`, 'a non-empty string', s.username);
  if (typeof s.password !== 'string') fail(`${path}.password`, 'a string', '<not a string>');
  return { mechanism: s.mechanism!, username: s.username, password: s.password };
}

/**
 * Check connection options once, before anything connects.
 * @param prefix where the options sit in the caller's options (`''` at the top, `connection`...), for paths.
 * @throws InvalidArgumentError whose `context.option` is the option's path (`brokers[1]`, `sasl.mechanism`...).
 */
export function resolveConnectionOptions(options: KafkaConnectionOptions, prefix = '', defaultClientId = 'tributary'): ResolvedConnectionOptions {
  if (options === null || typeof options !== 'object') fail(prefix || 'options', 'an object with brokers', options);
  const o = options;
  const brokersPath = join(prefix, 'brokers');
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) fail(brokersPath, "a non-empty array of 'host:port'", o.brokers);
  o.brokers.forEach((b, i) => (typeof b === 'string' && BROKER.test(b) ? undefined : fail(`${brokersPath}[${i}]`, "'host:port'", b)));
  if (o.clientId !== undefined && (typeof o.clientId !== 'string' || o.clientId === '')) fail(join(prefix, 'clientId'), 'a non-empty string', o.clientId);
  return {
    brokers: [...o.brokers],
    clientId: o.clientId ?? defaultClientId,
    tls: resolveTls(join(prefix, 'tls'), o.tls),
    sasl: resolveSasl(join(prefix, 'sasl'), o.sasl),
    connectionTimeoutMs: integer(join(prefix, 'connectionTimeoutMs'), o.connectionTimeoutMs, 3000, 1),
    requestTimeoutMs: integer(join(prefix, 'requestTimeoutMs'), o.requestTimeoutMs, 30_000, 1),
    retries: integer(join(prefix, 'retries'), o.retries, 5, 0),
  };
}
