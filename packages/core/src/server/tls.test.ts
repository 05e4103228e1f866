import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClientTlsOptions } from '../client/channel.js';
import { closeClient, createClient } from '../client/create-client.js';
import { Status } from '../status.js';
import { createTestPki, type TestPki } from '../test-support/certificates.js';
import { EchoService } from '../test-support/echo.generated.js';
import { type RunningApp, startApp } from '../test-support/harness.js';
import type { ServerTlsOptions } from './server-options.js';

describe('TLS and mutual TLS', () => {
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

  async function start(tls: ServerTlsOptions) {
    running = await startApp({ tls }, (app) =>
      app.addService(
        EchoService,
        {
          echo: (_request, ctx) => ({
            message: ctx.peerCertificate ? `cert ${ctx.peerCertificate.subject.CN}` : 'no cert',
          }),
        },
        { allowUnimplemented: true },
      ),
    );
    return running;
  }

  async function call(address: string, tls?: ClientTlsOptions) {
    const client = createClient(EchoService, address, tls ? { tls } : {});
    try {
      return await client.echo({}, { timeoutMs: 5_000 });
    } finally {
      closeClient(client);
    }
  }

  it('serves TLS from PEM files to a client that trusts the CA, and refuses plaintext', async () => {
    const { address } = await start({ cert: pki.paths.serverCert, key: pki.paths.serverKey });
    await expect(call(address, { ca: pki.paths.caCert })).resolves.toMatchObject({ message: 'no cert' });
    await expect(call(`localhost:${running?.port}`, { ca: pki.caCert })).resolves.toMatchObject({ message: 'no cert' });
    await expect(call(address)).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  });

  it('refuses a client that does not trust the server certificate', async () => {
    const { address } = await start({ cert: pki.serverCert, key: pki.serverKey });
    await expect(call(address, { ca: pki.strangerCert })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  });

  it('under mTLS, shows the verified client certificate to the handler', async () => {
    const { address } = await start({ cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert });
    await expect(call(address, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })).resolves.toMatchObject({
      message: 'cert client',
    });
  });

  it('under mTLS, refuses a client without a certificate and one from another CA at the handshake', async () => {
    const { address } = await start({ cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert });
    await expect(call(address, { ca: pki.caCert })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    await expect(call(address, { ca: pki.caCert, cert: pki.strangerCert, key: pki.strangerKey })).rejects.toMatchObject({
      code: Status.UNAVAILABLE,
    });
    expect(running?.app.callsInFlight).toBe(0);
  });

  it('explains a missing PEM file and a half-configured client', async () => {
    await expect(start({ cert: '/no/such/server.crt', key: pki.serverKey })).rejects.toThrow(
      /cannot read the server certificate from "\/no\/such\/server.crt"/,
    );
    expect(() => createClient(EchoService, '127.0.0.1:1', { tls: { cert: pki.clientCert } })).toThrow(/tls.cert and tls.key go together/);
  });
});
