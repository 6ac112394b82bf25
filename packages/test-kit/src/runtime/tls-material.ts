import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaRuntimeError } from '../errors.js';
import { canRun, exec } from '../internal/exec.js';

/** Certificates made for one secured test broker: a throwaway CA, the broker's keystore, and a client pair. */
export interface TlsMaterial {
  /** PKCS12 keystore holding the broker's key and its chain (server certificate, then the CA). */
  keystorePath: string;
  /** Password of the keystore and of the key in it. */
  keystorePassword: string;
  /** The CA certificate as a PEM file: the broker's trust store for client certificates. */
  caPath: string;
  /** The CA certificate, PEM: what a client trusts (`tls: { ca }`). */
  caPem: string;
  /** A client certificate signed by the CA, PEM, for mutual TLS; absent when `openssl` is not installed. */
  clientCertPem: string | undefined;
  /** The unencrypted PKCS#8 private key of `clientCertPem`, PEM; absent when `openssl` is not installed. */
  clientKeyPem: string | undefined;
}

// EC keys: keytool makes them in a fraction of RSA's time. Two days: long enough for any test run, and a
// leaked throwaway CA is worthless soon after.
const KEY = ['-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '2', '-storetype', 'PKCS12'];
// Each keytool run is a JVM of its own: C1 only and the serial collector halve its start on a small machine.
const FAST_JVM = ['-J-XX:TieredStopAtLevel=1', '-J-XX:+UseSerialGC', '-J-Xshare:auto'];

/** Where {@link createTlsMaterial} puts the files the broker reads, known before they exist. */
export function tlsMaterialPaths(dir: string): Pick<TlsMaterial, 'keystorePath' | 'caPath'> {
  return { keystorePath: join(dir, 'server.p12'), caPath: join(dir, 'ca.pem') };
}

/**
 * Make a CA, a broker certificate for `127.0.0.1` and `localhost` (SAN `IP:127.0.0.1`, which a client dialling
 * the advertised `127.0.0.1` checks), and a client certificate, with the JDK's `keytool` into `dir`. The client
 * key is taken out of its PKCS12 file with `openssl`, since keytool never exports private keys; without
 * openssl there is no client pair and mutual TLS cannot be tested. About ten short JVM runs, three at a time.
 * @throws KafkaRuntimeError `tls-setup-failed` with keytool's output.
 */
export async function createTlsMaterial(java: string, dir: string, password = randomBytes(12).toString('hex')): Promise<TlsMaterial> {
  await mkdir(dir, { recursive: true });
  const keytool = java === 'java' ? 'keytool' : join(java, '..', 'keytool');
  const file = (name: string) => join(dir, name);
  const run = (...args: string[]) => runTool(keytool, [...FAST_JVM, ...args, '-storepass', password]);
  const store = (name: string) => ['-keystore', file(`${name}.p12`)];

  await Promise.all([
    run('-genkeypair', '-alias', 'ca', '-dname', 'CN=Tributary test CA', '-ext', 'bc:c=ca:true', '-ext', 'ku:c=keyCertSign,cRLSign', ...KEY, ...store('ca')),
    run('-genkeypair', '-alias', 'server', '-dname', 'CN=localhost', ...KEY, ...store('server')),
    run('-genkeypair', '-alias', 'client', '-dname', 'CN=tributary-test-client', ...KEY, ...store('client')),
  ]);
  await Promise.all([
    run('-exportcert', '-rfc', '-alias', 'ca', '-file', file('ca.pem'), ...store('ca')),
    run('-certreq', '-alias', 'server', '-file', file('server.csr'), ...store('server')),
    run('-certreq', '-alias', 'client', '-file', file('client.csr'), ...store('client')),
  ]);
  const sign = (name: string, ...ext: string[]) =>
    run('-gencert', '-alias', 'ca', '-rfc', '-validity', '2', '-infile', file(`${name}.csr`), '-outfile', file(`${name}.pem`), ...ext, ...store('ca'));
  await Promise.all([sign('server', '-ext', 'SAN=ip:127.0.0.1,dns:localhost', '-ext', 'eku=serverAuth'), sign('client', '-ext', 'eku=clientAuth')]);

  const caPem = await readFile(file('ca.pem'), 'utf8');
  // The reply holds the whole chain, so keytool installs it without the CA being trusted in the keystore, and
  // the broker sends its certificate and the CA, as a broker with a real CA would send intermediates.
  await writeFile(file('server-chain.pem'), (await readFile(file('server.pem'), 'utf8')) + caPem);
  const [, clientKeyPem] = await Promise.all([
    run('-importcert', '-noprompt', '-alias', 'server', '-file', file('server-chain.pem'), ...store('server')),
    clientKey(file('client.p12'), password),
  ]);
  return {
    ...tlsMaterialPaths(dir),
    keystorePassword: password,
    caPem,
    clientCertPem: clientKeyPem === undefined ? undefined : await readFile(file('client.pem'), 'utf8'),
    clientKeyPem,
  };
}

async function clientKey(p12: string, password: string): Promise<string | undefined> {
  if (!(await canRun('openssl', ['version']))) return undefined;
  // `pkcs12 -nodes` prints bag attributes before the key: keep the PEM block alone.
  const out = await runTool('openssl', ['pkcs12', '-in', p12, '-nocerts', '-nodes', '-passin', `pass:${password}`]);
  const pem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(out)?.[0];
  if (!pem) throw new KafkaRuntimeError('tls-setup-failed', `openssl printed no private key for ${p12}`, { p12 });
  return `${pem}\n`;
}

async function runTool(command: string, args: readonly string[]): Promise<string> {
  let result;
  try {
    result = await exec(command, args);
  } catch (cause) {
    throw new KafkaRuntimeError('tls-setup-failed', `Could not run ${command} to make the test broker's certificates: is a JDK (with keytool) installed?`, { command }, cause);
  }
  if (result.code !== 0) {
    throw new KafkaRuntimeError('tls-setup-failed', `${command} ${args.filter((a) => !a.startsWith('-J')).slice(0, 1).join(' ')} failed (exit ${result.code}): ${(result.stdout + result.stderr).trim().slice(-1000)}`, { command });
  }
  return result.stdout;
}
