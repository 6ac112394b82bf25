import { describe, expect, it } from 'vitest';
import { serverProperties, type NodeLayout } from '../../src/runtime/config.js';
import { createSecuredUsers, scramFormatArguments, securedListeners, securityProperties } from '../../src/runtime/security.js';

const parse = (text: string) => Object.fromEntries(text.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
const tls = { keystorePath: '/w/tls/server.p12', keystorePassword: 'pw', caPath: '/w/tls/ca.pem' };

describe('secured listeners', () => {
  const users = createSecuredUsers();
  const node: NodeLayout = { nodeId: 1, port: 9001, controllerPort: 9101, dataDir: '/d/1', extraListeners: securedListeners({ sasl: 9002, ssl: 9003, mtls: 9004 }) };
  const props = parse(serverProperties(node, [node], securityProperties(users, tls)));

  it('open beside PLAINTEXT, advertised on 127.0.0.1, while brokers and the controller keep to PLAINTEXT', () => {
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9001,SASL_PLAINTEXT://127.0.0.1:9002,SSL://127.0.0.1:9003,MTLS://127.0.0.1:9004,CONTROLLER://127.0.0.1:9101');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9001,SASL_PLAINTEXT://127.0.0.1:9002,SSL://127.0.0.1:9003,MTLS://127.0.0.1:9004');
    expect(props['listener.security.protocol.map']).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL');
    expect(props['inter.broker.listener.name']).toBe('PLAINTEXT');
  });

  it('enable PLAIN with the user inline, and both SCRAM mechanisms', () => {
    expect(props['listener.name.sasl_plaintext.sasl.enabled.mechanisms']).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props['listener.name.sasl_plaintext.plain.sasl.jaas.config']).toContain(`user_plain-user="${users.plain.password}";`);
    expect(props['listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config']).toMatch(/ScramLoginModule required;$/);
  });

  it('ask a client certificate on the MTLS listener only', () => {
    expect(props['ssl.client.auth']).toBe('none');
    expect(props['listener.name.mtls.ssl.client.auth']).toBe('required');
    expect(props['ssl.keystore.location']).toBe(tls.keystorePath);
    expect(props['ssl.truststore.type']).toBe('PEM');
    expect(props['ssl.truststore.password']).toBeUndefined();
  });

  it('keep the plain node unchanged when no listener is added', () => {
    const plain = parse(serverProperties({ ...node, extraListeners: undefined }, [node]));
    expect(plain.listeners).toBe('PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101');
    expect(plain['listener.security.protocol.map']).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
  });

  it('register one SCRAM credential per mechanism at format time, each for its own user', () => {
    expect(scramFormatArguments(users)).toEqual([
      '--add-scram', `SCRAM-SHA-256=[name=scram256-user,password=${users.scramSha256.password}]`,
      '--add-scram', `SCRAM-SHA-512=[name=scram512-user,password=${users.scramSha512.password}]`,
    ]);
  });

  it('get fresh passwords at each start', () => {
    expect(createSecuredUsers().plain.password).not.toBe(users.plain.password);
  });
});
