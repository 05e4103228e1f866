import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { type App, Metadata, RpcError, Status } from '@wirekit/core';
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frame, RawGrpcSession } from '../../../core/src/hostile/test-support/raw-grpc-session.js';
import { createTestPki, type TestPki } from '../../../core/src/test-support/certificates.js';
import { auth } from '../auth/auth.js';
import {
  addWhoAmI,
  callEveryMode,
  EchoService,
  everyMode,
  type HandlerLog,
  type RunningApp,
  startApp,
} from '../auth/test-support/who-am-i.js';
import { createPinoLogger } from '../logging/create-pino-logger.js';
import { logging } from '../logging/logging.js';

// The cross-cutting checks: one server with auth, call logging and the app's logger all writing to one pino
// destination, attacked in all four modes. auth-jwt.test.ts and auth-mtls.test.ts test each check on its own.

const NOW = Math.floor(Date.now() / 1000);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const API_TOKEN = 'tok_s3cr3t-api-token-7Yh2kQ9vX4mN8pR3';
const PRIVATE_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const LEAKY_MESSAGE = 'connect to postgres://admin:hunter2-db-password@10.0.0.7 failed';

function sign(key: KeyObject | Uint8Array, alg: string, claims: JWTPayload = {}): Promise<string> {
  return new SignJWT({ sub: 'user-1', iss: 'https://issuer.test', aud: 'echo', iat: NOW, exp: NOW + 300, ...claims })
    .setProtectedHeader({ alg })
    .sign(key);
}

const bearer = (token: string) => ({ metadata: new Metadata({ authorization: `Bearer ${token}` }) });

describe('security: forged credentials, logs and error text, across all four modes', () => {
  let running: RunningApp;
  let log: HandlerLog;
  const lines: string[] = [];

  beforeAll(async () => {
    const logger = createPinoLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    running = await startApp(
      {
        logger,
        middleware: [
          logging({ logger }),
          auth({
            jwt: { publicKey: rsa.publicKey, algorithms: ['RS256'], issuer: 'https://issuer.test', audience: 'echo' },
            apiTokens: [{ name: 'ci', token: API_TOKEN }],
            logger,
          }),
        ],
      },
      (app: App) => {
        log = addWhoAmI(app);
      },
    );
  });
  afterAll(() => running.close());

  const forgeries: [string, () => Promise<string | undefined>, string][] = [
    ['no authorization header', async () => undefined, 'MISSING_CREDENTIALS'],
    ['alg none', async () => new UnsecuredJWT({ sub: 'admin', iss: 'https://issuer.test', aud: 'echo' }).encode(), 'UNSIGNED_TOKEN'],
    ['signed with another RSA key', () => sign(otherRsa.privateKey, 'RS256'), 'BAD_SIGNATURE'],
    [
      'HS256 "signed" with the RSA public key as HMAC secret',
      () => sign(new TextEncoder().encode(PUBLIC_PEM), 'HS256'),
      'ALGORITHM_NOT_ALLOWED',
    ],
    ['expired', () => sign(rsa.privateKey, 'RS256', { exp: NOW - 3600 }), 'TOKEN_EXPIRED'],
    ['not yet valid', () => sign(rsa.privateKey, 'RS256', { nbf: NOW + 3600 }), 'TOKEN_NOT_YET_VALID'],
    ['for another audience', () => sign(rsa.privateKey, 'RS256', { aud: 'billing' }), 'WRONG_AUDIENCE'],
    ['from another issuer', () => sign(rsa.privateKey, 'RS256', { iss: 'https://evil.test' }), 'WRONG_ISSUER'],
    ['a JWT header that is not JSON', async () => `${Buffer.from('{"alg":').toString('base64url')}.e30.c2ln`, 'MALFORMED_CREDENTIALS'],
    ['an API token one character off', async () => `${API_TOKEN.slice(0, -1)}X`, 'UNKNOWN_API_TOKEN'],
  ];
  const issued: string[] = [];

  it.each(forgeries)('%s: UNAUTHENTICATED saying which, in every mode, before any handler runs', async (_name, makeToken, reason) => {
    const token = await makeToken();
    if (token !== undefined) issued.push(token);
    const outcomes = await callEveryMode(running.client(EchoService), token === undefined ? {} : bearer(token));
    expect(outcomes).toEqual(everyMode({ code: Status.UNAUTHENTICATED, reason, message: expect.any(String) as string }));
    expect(log).toEqual({ called: [], received: [] });
  });

  it('a streaming handler never sees a message of a refused call, even when the client sent them all (raw HTTP/2)', async () => {
    const raw = await RawGrpcSession.connect(running.address);
    const token = await sign(otherRsa.privateKey, 'RS256');
    issued.push(token);
    const messages = Buffer.concat(
      ['first', 'second', 'third'].map((message) =>
        frame(EchoService.methods.Collect.requestCodec.encode({ message, sequence: 0n, payload: new Uint8Array(), failWithCode: 0 })),
      ),
    );
    for (const method of ['Collect', 'Chat']) {
      const reply = await raw.call(`/${EchoService.fullName}/${method}`, messages, { authorization: `Bearer ${token}` });
      expect(reply).toMatchObject({ status: Status.UNAUTHENTICATED, message: 'the token signature does not verify' });
    }
    await raw.close();
    expect(log).toEqual({ called: [], received: [] });
  });

  it('valid credentials still pass in every mode (the refusals above are not a server refusing everyone)', async () => {
    const token = await sign(rsa.privateKey, 'RS256');
    issued.push(token, API_TOKEN);
    expect(await callEveryMode(running.client(EchoService), bearer(token))).toEqual(everyMode({ ok: 'user-1 jwt' }));
    expect(await callEveryMode(running.client(EchoService), bearer(API_TOKEN))).toEqual(everyMode({ ok: 'ci api-token' }));
  });

  it('no log line holds a token, a token signature, the API token or the private key', () => {
    // Runs after the calls above: every refusal and every success was logged by auth and by call logging.
    expect(lines.length).toBeGreaterThan(40);
    const secrets = [...issued, ...issued.map((token) => token.split('.')[2] ?? token).filter((part) => part.length > 8), API_TOKEN];
    secrets.push(...PRIVATE_PEM.split('\n').filter((line) => line.length > 40));
    for (const line of lines) for (const secret of secrets) expect(line).not.toContain(secret);
    // The lines are there and say why, without the credential.
    expect(lines.some((line) => line.includes('"reason":"BAD_SIGNATURE"'))).toBe(true);
    expect(lines.some((line) => line.includes('"authorization":"[Redacted]"'))).toBe(true);
  });

  it('a handler that throws: INTERNAL "Internal server error" with no stack, internal text or details, in messages, trailers or details', async () => {
    const failing = await startApp({ logger: createPinoLogger({ level: 'silent' }) }, (app) =>
      app.addService(EchoService, {
        echo: () => {
          throw new Error(LEAKY_MESSAGE);
        },
        async *expand() {
          yield { message: 'one' };
          throw new TypeError(LEAKY_MESSAGE);
        },
        collect: async () => {
          throw Object.assign(new Error(LEAKY_MESSAGE), { code: Status.NOT_FOUND, details: LEAKY_MESSAGE });
        },
        // biome-ignore lint/correctness/useYield: fails before its first response
        async *chat() {
          throw LEAKY_MESSAGE;
        },
      }),
    );
    try {
      const outcomes = await callEveryMode(failing.client(EchoService));
      expect(outcomes).toEqual(everyMode({ code: Status.INTERNAL, reason: undefined, message: 'Internal server error' }));
      const raw = await RawGrpcSession.connect(failing.address);
      for (const method of ['Echo', 'Collect', 'Chat', 'Expand']) {
        const body = frame(
          EchoService.methods.Echo.requestCodec.encode({ message: 'x', sequence: 0n, payload: new Uint8Array(), failWithCode: 0 }),
        );
        const reply = await raw.call(`/${EchoService.fullName}/${method}`, body);
        expect(reply.status).toBe(Status.INTERNAL);
        expect(reply.message).toBe('Internal server error');
        const everything = JSON.stringify([reply.headers, reply.trailers]);
        expect(everything).not.toMatch(/hunter2|postgres|10\.0\.0\.7|TypeError|\bat .*\(|\.ts:\d+|node_modules/);
        expect(Object.keys(reply.trailers).filter((key) => key.endsWith('-bin'))).toEqual([]);
      }
      await raw.close();
      const error = await failing
        .client(EchoService)
        .echo({})
        .catch((thrown: unknown) => RpcError.from(thrown));
      expect(error).toMatchObject({ code: Status.INTERNAL, rawMessage: 'Internal server error', details: [] });
    } finally {
      await failing.close();
    }
  });
});

describe('security: mutual TLS refuses unknown clients at the handshake', () => {
  let pki: TestPki;
  let running: RunningApp;
  let log: HandlerLog;
  beforeAll(async () => {
    pki = createTestPki();
    running = await startApp(
      { tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.caCert }, middleware: [auth({ mtls: true })] },
      (app: App) => {
        log = addWhoAmI(app);
      },
    );
  });
  afterAll(async () => {
    await running.close();
    pki.remove();
  });

  it.each([
    ['no certificate', { ca: () => pki.caCert }],
    ['a certificate from another CA', { ca: () => pki.caCert, cert: () => pki.strangerCert, key: () => pki.strangerKey }],
  ])('%s: every mode fails UNAVAILABLE and no handler runs', async (_name, files) => {
    const tls = { ca: files.ca(), ...('cert' in files ? { cert: files.cert(), key: files.key() } : {}) };
    const outcomes = await callEveryMode(running.client(EchoService, { tls }), { timeoutMs: 5_000 });
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: Status.UNAVAILABLE });
    expect(log).toEqual({ called: [], received: [] });
    expect(running.app.callsInFlight).toBe(0);
  });

  it.each([
    ['no certificate', undefined],
    ['a certificate from another CA', 'stranger'],
  ])('%s: the TLS handshake itself fails with an alert, before any HTTP/2 byte', async (_name, which) => {
    const [host, port] = [running.address.split(':')[0], Number(running.address.split(':')[1])];
    const socket = tlsConnect({
      host,
      port,
      ca: pki.caCert,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      ...(which === 'stranger' ? { cert: pki.strangerCert, key: pki.strangerKey } : {}),
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    // What a client sends first on HTTP/2, so the server has a reason to answer if it accepted the connection.
    socket.on('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    // Under TLS 1.3 the client's side of the handshake completes before the server has checked the certificate;
    // the server's alert then ends the connection. Either way not one byte of HTTP/2 comes back.
    const ended = await new Promise<{ readonly error?: NodeJS.ErrnoException }>((resolve) => {
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
      socket.on('close', () => resolve({}));
    });
    socket.destroy();
    if (ended.error !== undefined) {
      expect(ended.error.code).toMatch(/^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_BAD_CERTIFICATE)$/);
    }
    expect(Buffer.concat(received).byteLength).toBe(0);
    expect(log.called).toEqual([]);
  });

  it('the client of the trusted CA is served, by its certificate', async () => {
    const client = running.client(EchoService, { tls: { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey } });
    expect(await callEveryMode(client)).toEqual(everyMode({ ok: 'client mtls' }));
  });
});
