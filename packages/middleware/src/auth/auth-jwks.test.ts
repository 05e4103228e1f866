import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metadata, Status } from '@wirekit/core';
import { exportJWK, type JWK, SignJWT } from 'jose';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auth } from './auth.js';
import type { JwtOptions } from './jwt-verifier.js';
import { addWhoAmI, callEveryMode, EchoService, everyMode, type RunningApp, startApp } from './test-support/who-am-i.js';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

function sign(key: SigningKey, sub = 'user-1', kid = key.kid): Promise<string> {
  return new SignJWT({ sub, aud: 'echo' }).setProtectedHeader({ alg: key.alg, kid }).setExpirationTime('5m').sign(key.privateKey);
}

function bearer(token: string) {
  return { metadata: new Metadata({ authorization: `Bearer ${token}` }) };
}

/** An issuer's JWKS endpoint on 127.0.0.1:0: serves `published`, counts fetches, can fail on demand. */
interface JwksServer {
  readonly url: string;
  published: JWK[];
  fetches: number;
  failing: boolean;
  close(): Promise<void>;
}

async function startJwksServer(published: JWK[]): Promise<JwksServer> {
  const server: Server = createServer((_request, response) => {
    state.fetches++;
    if (state.failing) {
      response.writeHead(503).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.published }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: JwksServer = {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    published,
    fetches: 0,
    failing: false,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return state;
}

describe('auth: JWTs verified against a JWKS URL', () => {
  let running: RunningApp | undefined;
  let jwks: JwksServer;
  let rsaKey: SigningKey;
  let ecKey: SigningKey;
  beforeAll(async () => {
    rsaKey = await signingKey('rsa-1', 'RS256');
    ecKey = await signingKey('ec-1', 'ES256');
  });
  beforeEach(async () => {
    jwks = await startJwksServer([rsaKey.jwk, ecKey.jwk]);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await jwks.close();
  });

  async function serve(options: Partial<JwtOptions> = {}, logger?: { error: () => void; warn: () => void; info: () => void }) {
    const jwt = { jwks: { url: jwks.url }, algorithms: ['RS256', 'ES256'], audience: 'echo', ...options } as JwtOptions;
    running = await startApp({ middleware: [auth({ jwt, ...(logger ? { logger } : {}) })] }, (app) => addWhoAmI(app));
    return running.client(EchoService);
  }

  it('fetches the keys once, caches them, and verifies RS256 and ES256 tokens in all four modes', async () => {
    const client = await serve();
    expect(jwks.fetches).toBe(0); // nothing is fetched before the first token arrives
    expect(await callEveryMode(client, bearer(await sign(rsaKey)))).toEqual(everyMode({ ok: 'user-1 jwt' }));
    expect(await callEveryMode(client, bearer(await sign(ecKey, 'user-2')))).toEqual(everyMode({ ok: 'user-2 jwt' }));
    expect(jwks.fetches).toBe(1);
  });

  it('shares one fetch between concurrent first calls', async () => {
    const client = await serve();
    const token = await sign(rsaKey);
    const replies = await Promise.all(Array.from({ length: 8 }, () => client.echo({}, bearer(token))));
    expect(replies.map((reply) => reply.message)).toEqual(Array(8).fill('user-1 jwt'));
    expect(jwks.fetches).toBe(1);
  });

  it('picks up a rotated-in key by refetching when a token names an unknown kid', async () => {
    const client = await serve({ jwks: { url: jwks.url, cooldownMs: 0 } });
    expect((await client.echo({}, bearer(await sign(rsaKey)))).message).toBe('user-1 jwt');
    expect(jwks.fetches).toBe(1);

    // The issuer rotates: a new key is published and the old one retired.
    const rotated = await signingKey('rsa-2', 'RS256');
    jwks.published = [rotated.jwk];
    expect(await callEveryMode(client, bearer(await sign(rotated, 'user-3')))).toEqual(everyMode({ ok: 'user-3 jwt' }));
    expect(jwks.fetches).toBe(2); // one refetch, then the new set is cached for the other modes

    // The retired key is gone from the set, so its tokens fail (after one more look, since its kid is unknown now).
    expect((await callEveryMode(client, bearer(await sign(rsaKey))))[0]).toEqual({
      code: Status.UNAUTHENTICATED,
      reason: 'UNKNOWN_SIGNING_KEY',
      message: 'no signing key of the issuer matches the token (kid and alg)',
    });
  });

  it('does not refetch for unknown kids within the cooldown, so forged kids cannot hammer the issuer', async () => {
    const client = await serve(); // the default cooldown, 30 s
    expect((await client.echo({}, bearer(await sign(rsaKey)))).message).toBe('user-1 jwt');
    const forged = await Promise.all(['x-1', 'x-2', 'x-3'].map((kid) => sign(rsaKey, 'user-1', kid)));
    for (const token of forged) {
      expect((await callEveryMode(client, bearer(token)))[0]).toMatchObject({
        code: Status.UNAUTHENTICATED,
        reason: 'UNKNOWN_SIGNING_KEY',
      });
    }
    expect(jwks.fetches).toBe(1);
  });

  it('answers UNAVAILABLE, not UNAUTHENTICATED, when the keys cannot be fetched, and logs it without the token', async () => {
    const entries: unknown[] = [];
    const logger = {
      error: (...entry: unknown[]) => entries.push(entry),
      warn: (...entry: unknown[]) => entries.push(entry),
      info: () => {},
    };
    const client = await serve({}, logger);
    jwks.failing = true;
    const token = await sign(rsaKey);
    expect(await callEveryMode(client, bearer(token))).toEqual(
      everyMode({
        code: Status.UNAVAILABLE,
        reason: 'SIGNING_KEYS_UNAVAILABLE',
        message: 'the signing keys to verify the token could not be fetched; retry later',
      }),
    );
    expect(JSON.stringify(entries)).toContain('the signing keys could not be fetched');
    expect(JSON.stringify(entries)).not.toContain(token.split('.')[2]);

    jwks.failing = false; // the issuer is back: the next call fetches and succeeds
    expect((await client.echo({}, bearer(token))).message).toBe('user-1 jwt');
  });

  it('refuses a token whose alg the configuration does not accept, even if the JWKS has a key for it', async () => {
    const client = await serve({ algorithms: ['RS256'] });
    expect((await callEveryMode(client, bearer(await sign(ecKey))))[0]).toMatchObject({
      code: Status.UNAUTHENTICATED,
      reason: 'ALGORITHM_NOT_ALLOWED',
      message: expect.stringContaining('"ES256"'),
    });
    expect(jwks.fetches).toBe(0); // refused from the header alone
  });
});
