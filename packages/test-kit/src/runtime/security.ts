import { randomBytes } from 'node:crypto';
import type { ExtraListener } from './config.js';
import type { TlsMaterial } from './tls-material.js';

/** A user the secured broker accepts, with the one SASL mechanism it was registered for. */
export interface SecuredUser {
  readonly username: string;
  readonly password: string;
}

/** The users of a secured broker, one per mechanism, so a success proves that mechanism and no other. */
export interface SecuredUsers {
  /** Known to the PLAIN mechanism only (the listener's inline JAAS configuration). */
  readonly plain: SecuredUser;
  /** A SCRAM-SHA-256 credential in the cluster metadata; it has no SCRAM-SHA-512 credential. */
  readonly scramSha256: SecuredUser;
  /** A SCRAM-SHA-512 credential in the cluster metadata; it has no SCRAM-SHA-256 credential. */
  readonly scramSha512: SecuredUser;
}

/**
 * The secured listeners of a node started with `security: true`, next to its plain one, and what a client
 * needs to use them. Passwords and certificates are made afresh at each start.
 */
export interface KafkaSecurity {
  /** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), `127.0.0.1:<port>` per node. */
  readonly saslBrokers: string[];
  /** SSL listener that asks for no client certificate: a client needs only to trust `caPem`. */
  readonly sslBrokers: string[];
  /** SSL listener that requires a client certificate signed by the CA (mutual TLS). */
  readonly mtlsBrokers: string[];
  readonly users: SecuredUsers;
  /** The throwaway CA that signed the broker's certificate (SAN `IP:127.0.0.1`, `DNS:localhost`), PEM. */
  readonly caPem: string;
  /** A client certificate the mutual-TLS listener accepts, PEM; absent when `openssl` is not installed. */
  readonly clientCertPem: string | undefined;
  /** The client certificate's unencrypted private key, PEM; absent with `clientCertPem`. */
  readonly clientKeyPem: string | undefined;
}

/** Ports of one node's secured listeners. */
export interface SecuredPorts {
  sasl: number;
  ssl: number;
  mtls: number;
}

/** Fresh users with random passwords. */
export function createSecuredUsers(): SecuredUsers {
  const user = (username: string): SecuredUser => ({ username, password: randomBytes(12).toString('hex') });
  return { plain: user('plain-user'), scramSha256: user('scram256-user'), scramSha512: user('scram512-user') };
}

/** The secured listeners beside PLAINTEXT and CONTROLLER. MTLS is a second SSL listener with its own client-auth rule. */
export function securedListeners(ports: SecuredPorts): ExtraListener[] {
  return [
    { name: 'SASL_PLAINTEXT', protocol: 'SASL_PLAINTEXT', port: ports.sasl },
    { name: 'SSL', protocol: 'SSL', port: ports.ssl },
    { name: 'MTLS', protocol: 'SSL', port: ports.mtls },
  ];
}

/**
 * The server.properties that secure those listeners. Brokers and the controller keep talking PLAINTEXT, so only
 * client connections are secured. No authorizer is set: any authenticated user may do anything, which is what
 * these listeners are for (proving authentication and encryption, not ACLs).
 */
export function securityProperties(users: SecuredUsers, tls: Pick<TlsMaterial, 'keystorePath' | 'keystorePassword' | 'caPath'>): Record<string, string> {
  const sasl = 'listener.name.sasl_plaintext';
  const scramModule = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return {
    [`${sasl}.sasl.enabled.mechanisms`]: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    // PLAIN users live in the JAAS line as user_<name>="<password>"; SCRAM users live in the cluster metadata.
    [`${sasl}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}="${users.plain.password}";`,
    [`${sasl}.scram-sha-256.sasl.jaas.config`]: scramModule,
    [`${sasl}.scram-sha-512.sasl.jaas.config`]: scramModule,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': tls.keystorePath,
    'ssl.keystore.password': tls.keystorePassword,
    'ssl.key.password': tls.keystorePassword,
    // A PEM trust store takes no password (Kafka refuses one).
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': tls.caPath,
    'ssl.client.auth': 'none',
    'listener.name.mtls.ssl.client.auth': 'required',
  };
}

/**
 * `kafka-storage format` arguments that write the SCRAM credentials into the cluster metadata before the first
 * start: in KRaft there is no ZooKeeper to add them to, and the broker reads them from the metadata log.
 */
export function scramFormatArguments(users: SecuredUsers): string[] {
  const add = (mechanism: string, user: SecuredUser) => ['--add-scram', `${mechanism}=[name=${user.username},password=${user.password}]`];
  return [...add('SCRAM-SHA-256', users.scramSha256), ...add('SCRAM-SHA-512', users.scramSha512)];
}
