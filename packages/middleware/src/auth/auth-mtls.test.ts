import { randomBytes } from 'node:crypto';
import { type ClientOptions, Metadata, type ServerMiddleware, Status } from '@wirekit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../../core/src/test-support/certificates.js';
import { type Identity, identityKey } from '../shared/identity.js';
import { type AuthOptions, auth } from './auth.js';
import { addWhoAmI, callEveryMode, EchoService, everyMode, type RunningApp, startApp } from './test-support/who-am-i.js';

describe('auth: mutual TLS identity', () => {
  let pki: TestPki;
  let running: RunningApp | undefined;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function serve(options: AuthOptions, requireClientCert = true, seen: Identity[] = []) {
    const record: ServerMiddleware = async function* record(call, next) {
      const identity = call.context.get(identityKey);
      if (identity) seen.push(identity);
      return yield* next(call);
    };
    running = await startApp(
      { tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert, requireClientCert }, middleware: [auth(options), record] },
      (app) => addWhoAmI(app),
    );
    return running;
  }

  function client(tls: ClientOptions['tls']) {
    if (!running) throw new Error('serve first');
    return running.client(EchoService, { tls });
  }

  it('authenticates the verified client certificate by its subject, with its SANs, in all four modes', async () => {
    const seen: Identity[] = [];
    await serve({ mtls: true }, true, seen);
    const echo = client({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    expect(await callEveryMode(echo)).toEqual(everyMode({ ok: 'client mtls' }));
    expect(seen[0]).toMatchObject({
      subject: 'client',
      method: 'mtls',
      scopes: [],
      roles: [],
      claims: { subject: { CN: 'client' }, issuer: { CN: 'test-ca' }, subjectAltNames: ['DNS:client.test'] },
    });
  });

  it('grants scopes and roles by certificate, for the policy to check', async () => {
    await serve({
      mtls: { grant: (certificate) => (certificate.subject.CN === 'client' ? { roles: ['worker'], scopes: ['jobs:run'] } : {}) },
      policy: { 'wirekit.test.v1.EchoService': { roles: ['worker'], scopes: ['jobs:run'] } },
    });
    expect(await callEveryMode(client({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }))).toEqual(
      everyMode({ ok: 'client mtls' }),
    );
  });

  it('authenticates no one by certificate when the server does not verify client certificates', async () => {
    // With requireClientCert: false, grpc-js does not ask for a client certificate, so none is ever verified;
    // a client that would be refused at the handshake under full mTLS is refused here by the middleware.
    await serve({ mtls: true }, false);
    const refused = everyMode({
      code: Status.UNAUTHENTICATED,
      reason: 'MISSING_CREDENTIALS',
      message: 'the call has no verified client certificate',
    });
    expect(await callEveryMode(client({ ca: pki.caCert }))).toEqual(refused);
    expect(await callEveryMode(client({ ca: pki.caCert, cert: pki.strangerCert, key: pki.strangerKey }))).toEqual(refused);
    expect(await callEveryMode(client({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey }))).toEqual(refused);
  });

  it('prefers a bearer token over the certificate when both are sent, and ignores tokens when only mTLS is on', async () => {
    const token = randomBytes(24).toString('base64url');
    await serve({ mtls: true, apiTokens: [{ name: 'ci', token }] });
    const echo = client({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    const bearer = { metadata: new Metadata({ authorization: `Bearer ${token}` }) };
    expect(await callEveryMode(echo, bearer)).toEqual(everyMode({ ok: 'ci api-token' }));
    expect(await callEveryMode(echo)).toEqual(everyMode({ ok: 'client mtls' }));
    await running?.close();

    await serve({ mtls: true });
    const withHeader = client({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
    expect(await callEveryMode(withHeader, { metadata: new Metadata({ authorization: 'Bearer meant-for-another-hop' }) })).toEqual(
      everyMode({ ok: 'client mtls' }),
    );
  });
});
