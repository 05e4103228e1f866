import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { Metadata, type ServerMiddleware, Status } from '@wirekit/core';
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { type Identity, identityKey } from '../shared/identity.js';
import { auth } from './auth.js';
import type { JwtOptions } from './jwt-verifier.js';
import { addWhoAmI, callEveryMode, EchoService, everyMode, type HandlerLog, type RunningApp, startApp } from './test-support/who-am-i.js';
import type { JwtAlgorithm } from './verification-key.js';

const NOW = Date.UTC(2030, 0, 1) / 1000; // the servers' clock, in seconds, in every test of this file
const clock = (): number => NOW * 1000;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const secret = randomBytes(32);

async function sign(
  key: KeyObject | Uint8Array,
  alg: string,
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ sub: 'user-1', iss: 'https://issuer.test', aud: 'echo', iat: NOW, exp: NOW + 300, ...claims })
    .setProtectedHeader({ ...header, alg })
    .sign(key);
}

function bearer(token: string): { metadata: Metadata } {
  return { metadata: new Metadata({ authorization: `Bearer ${token}` }) };
}

/** A logger that keeps every entry, to prove no token reaches the logs. */
function recordingLogger() {
  const entries: { level: string; fields: Readonly<Record<string, unknown>>; message: string }[] = [];
  const record = (level: string) => (fields: Readonly<Record<string, unknown>>, message: string) =>
    entries.push({ level, fields, message });
  return { entries, error: record('error'), warn: record('warn'), info: record('info') };
}

describe('auth: bearer JWTs', () => {
  let running: RunningApp | undefined;
  let log: HandlerLog;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function serve(jwt: JwtOptions, extra: { middleware?: ServerMiddleware[]; logger?: ReturnType<typeof recordingLogger> } = {}) {
    running = await startApp(
      {
        middleware: [auth({ jwt, ...(extra.logger ? { logger: extra.logger } : {}) }), ...(extra.middleware ?? [])],
        ...(extra.logger ? { logger: extra.logger } : {}),
      },
      (app) => {
        log = addWhoAmI(app);
      },
    );
    return running.client(EchoService);
  }

  const verifiers: [JwtAlgorithm, JwtOptions, KeyObject | Uint8Array][] = [
    ['HS256', { secret, algorithms: ['HS256'], clock }, secret],
    ['RS256', { publicKey: rsa.publicKey, algorithms: ['RS256'], clock }, rsa.privateKey],
    ['ES256', { publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString(), algorithms: ['ES256'], clock }, ec.privateKey],
    ['EdDSA', { publicKey: ed.publicKey.export({ format: 'jwk' }), algorithms: ['EdDSA'], clock }, ed.privateKey],
  ];

  it.each(verifiers)('accepts a valid %s token in all four modes, and the handler sees the identity', async (alg, options, signingKey) => {
    const client = await serve(options);
    expect(await callEveryMode(client, bearer(await sign(signingKey, alg)))).toEqual(everyMode({ ok: 'user-1 jwt' }));
    expect(log.called.sort()).toEqual(['Chat', 'Collect', 'Echo', 'Expand']);
  });

  it('takes scopes from "scope" or "scp", roles from "roles" (or another claim), and keeps the claims', async () => {
    const seen: Identity[] = [];
    const record: ServerMiddleware = async function* record(call, next) {
      const identity = call.context.get(identityKey);
      if (identity) seen.push(identity);
      return yield* next(call);
    };
    const client = await serve({ secret, algorithms: ['HS256'], clock, rolesClaim: 'groups' }, { middleware: [record] });
    await client.echo({}, bearer(await sign(secret, 'HS256', { scope: 'read write', groups: ['admin'] })));
    await client.echo({}, bearer(await sign(secret, 'HS256', { scp: ['read'], groups: 'ops' })));
    expect(seen.map(({ scopes, roles, method }) => ({ scopes, roles, method }))).toEqual([
      { scopes: ['read', 'write'], roles: ['admin'], method: 'jwt' },
      { scopes: ['read'], roles: ['ops'], method: 'jwt' },
    ]);
    expect(seen[0]?.claims).toMatchObject({ sub: 'user-1', iss: 'https://issuer.test', aud: 'echo' });
  });

  describe('refuses every forgery and every invalid token with UNAUTHENTICATED saying which, in all four modes', () => {
    const strict: JwtOptions = {
      publicKey: rsa.publicKey,
      algorithms: ['RS256'],
      issuer: 'https://issuer.test',
      audience: 'echo',
      clockToleranceSeconds: 5,
      clock,
    };
    const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const forgeries: [string, () => Promise<string>, string, RegExp][] = [
      [
        'an unsigned token (alg none)',
        async () => new UnsecuredJWT({ sub: 'admin', aud: 'echo', iss: 'https://issuer.test' }).encode(),
        'UNSIGNED_TOKEN',
        /unsigned \(alg "none"\)/,
      ],
      [
        'HS256 signed with the RSA public key as the HMAC secret',
        () => sign(new TextEncoder().encode(publicPem), 'HS256', { sub: 'admin' }),
        'ALGORITHM_NOT_ALLOWED',
        /signed with "HS256", which this service does not accept \(accepted: RS256\)/,
      ],
      ['a token signed by another key', () => sign(otherRsa.privateKey, 'RS256'), 'BAD_SIGNATURE', /signature does not verify/],
      [
        'a valid token whose payload was changed',
        async () => {
          const [header, , signature] = (await sign(rsa.privateKey, 'RS256')).split('.');
          const payload = Buffer.from(JSON.stringify({ sub: 'admin', iss: 'https://issuer.test', aud: 'echo', exp: NOW + 300 })).toString(
            'base64url',
          );
          return `${header}.${payload}.${signature}`;
        },
        'BAD_SIGNATURE',
        /signature does not verify/,
      ],
      [
        'an expired token (beyond the tolerance)',
        () => sign(rsa.privateKey, 'RS256', { exp: NOW - 6 }),
        'TOKEN_EXPIRED',
        /expired at 2029-12-31T23:59:54.000Z/,
      ],
      [
        'a token not valid yet',
        () => sign(rsa.privateKey, 'RS256', { nbf: NOW + 60 }),
        'TOKEN_NOT_YET_VALID',
        /not valid yet until 2030-01-01T00:01:00.000Z/,
      ],
      ['a token for another audience', () => sign(rsa.privateKey, 'RS256', { aud: 'billing' }), 'WRONG_AUDIENCE', /another audience/],
      ['a token without an audience', () => sign(rsa.privateKey, 'RS256', { aud: undefined }), 'WRONG_AUDIENCE', /no audience/],
      [
        'a token from another issuer',
        () => sign(rsa.privateKey, 'RS256', { iss: 'https://evil.test' }),
        'WRONG_ISSUER',
        /issuer \(iss\) is not accepted/,
      ],
      ['a token without a subject', () => sign(rsa.privateKey, 'RS256', { sub: undefined }), 'INVALID_CLAIMS', /no subject/],
      ['a token that is not a JWT', async () => 'opaque-token-value', 'MALFORMED_CREDENTIALS', /not a JWT/],
      ['three segments of garbage', async () => 'abc.def.ghi', 'MALFORMED_CREDENTIALS', /not a JWT/],
    ];

    it.each(forgeries)('%s', async (_name, makeToken, reason, message) => {
      const client = await serve(strict);
      const token = await makeToken();
      const outcomes = await callEveryMode(client, bearer(token));
      expect(outcomes).toEqual(everyMode({ code: Status.UNAUTHENTICATED, reason, message: expect.stringMatching(message) as string }));
      for (const outcome of outcomes) expect(JSON.stringify(outcome)).not.toContain(token);
      expect(log).toEqual({ called: [], received: [] });
    });
  });

  it('refuses a missing or malformed authorization header, in all four modes', async () => {
    const client = await serve({ secret, algorithms: ['HS256'], clock });
    const refused = (reason: string, message: RegExp) =>
      everyMode({ code: Status.UNAUTHENTICATED, reason, message: expect.stringMatching(message) as string });
    expect(await callEveryMode(client)).toEqual(refused('MISSING_CREDENTIALS', /no authorization header/));
    const header = (value: string) => ({ metadata: new Metadata({ authorization: value }) });
    expect(await callEveryMode(client, header('Basic dXNlcjpwYXNz'))).toEqual(
      refused('MALFORMED_CREDENTIALS', /not of the form "Bearer <token>"/),
    );
    expect(await callEveryMode(client, header('Bearer'))).toEqual(refused('MALFORMED_CREDENTIALS', /not of the form/));
    const token = await sign(secret, 'HS256');
    // grpc-js refuses to send two authorization headers; a proxy that joins two sends them like this.
    expect(await callEveryMode(client, header(`Bearer ${token}, Bearer ${token}`))).toEqual(
      refused('MALFORMED_CREDENTIALS', /characters a token cannot have \(RFC 6750\), or there are two/),
    );
    expect(await callEveryMode(client, header(`Bearer ${token} extra`))).toEqual(
      refused('MALFORMED_CREDENTIALS', /characters a token cannot have/),
    );
    expect(log.called).toEqual([]);
    // The scheme is case-insensitive (RFC 7235).
    expect(await client.echo({}, header(`bearer ${token}`))).toMatchObject({ message: 'user-1 jwt' });
  });

  it('allows clock skew within the tolerance on exp and nbf, and no more, by the given clock', async () => {
    const client = await serve({ secret, algorithms: ['HS256'], clock, clockToleranceSeconds: 5 });
    const echo = async (claims: JWTPayload) => (await callEveryMode(client, bearer(await sign(secret, 'HS256', claims))))[0];
    expect(await echo({ exp: NOW - 4 })).toEqual({ ok: 'user-1 jwt' });
    expect(await echo({ exp: NOW - 6 })).toMatchObject({ code: Status.UNAUTHENTICATED, reason: 'TOKEN_EXPIRED' });
    expect(await echo({ nbf: NOW + 4 })).toEqual({ ok: 'user-1 jwt' });
    expect(await echo({ nbf: NOW + 6 })).toMatchObject({ code: Status.UNAUTHENTICATED, reason: 'TOKEN_NOT_YET_VALID' });
  });

  it('accepts any of several issuers and audiences when given lists', async () => {
    const client = await serve({
      secret,
      algorithms: ['HS256'],
      clock,
      issuer: ['https://a.test', 'https://b.test'],
      audience: ['echo', 'all'],
    });
    const echo = async (claims: JWTPayload) => (await callEveryMode(client, bearer(await sign(secret, 'HS256', claims))))[0];
    expect(await echo({ iss: 'https://b.test', aud: ['other', 'all'] })).toEqual({ ok: 'user-1 jwt' });
    expect(await echo({ iss: 'https://c.test', aud: 'echo' })).toMatchObject({ reason: 'WRONG_ISSUER' });
  });

  it('never writes a token to the logs, but logs each refusal with its reason', async () => {
    const logger = recordingLogger();
    const client = await serve({ publicKey: rsa.publicKey, algorithms: ['RS256'], audience: 'echo', clock }, { logger });
    const tokens = [
      await sign(rsa.privateKey, 'RS256'),
      await sign(rsa.privateKey, 'RS256', { exp: NOW - 60 }),
      await sign(otherRsa.privateKey, 'RS256'),
      await sign(rsa.privateKey, 'RS256', { aud: 'billing' }),
      new UnsecuredJWT({ sub: 'admin' }).encode(),
    ];
    for (const token of tokens) await callEveryMode(client, bearer(token));
    const written = JSON.stringify(logger.entries);
    for (const token of tokens) {
      expect(written).not.toContain(token);
      // Not even the signature, the part that makes a token usable.
      const signature = token.split('.')[2];
      if (signature) expect(written).not.toContain(signature);
    }
    const fourTimes = (reason: string) => [reason, reason, reason, reason];
    expect(logger.entries.map((entry) => entry.fields.reason)).toEqual([
      ...fourTimes('TOKEN_EXPIRED'),
      ...fourTimes('BAD_SIGNATURE'),
      ...fourTimes('WRONG_AUDIENCE'),
      ...fourTimes('UNSIGNED_TOKEN'),
    ]);
    expect(logger.entries[0]).toMatchObject({
      level: 'warn',
      message: 'auth: call refused',
      fields: { method: expect.stringMatching(/^\/wirekit\.test\.v1\.EchoService\//) },
    });
  });

  it('refuses, at startup, keys that do not fit the algorithms and configurations that allow confusion', () => {
    expect(() => auth({ jwt: { publicKey: rsa.publicKey, algorithms: ['HS256'] } })).toThrow(/a RSA key cannot verify HS256/);
    expect(() => auth({ jwt: { publicKey: rsa.publicKey, algorithms: ['RS256', 'HS256'] } })).toThrow(/cannot verify HS256/);
    expect(() => auth({ jwt: { publicKey: ec.publicKey, algorithms: ['ES384'] } })).toThrow(/EC P-256 key cannot verify ES384/);
    expect(() => auth({ jwt: { secret, algorithms: ['RS256'] } })).toThrow(/shared-secret \(HMAC\) key cannot verify RS256/);
    expect(() => auth({ jwt: { secret: 'too short', algorithms: ['HS256'] } })).toThrow(/at least 32 random bytes/);
    expect(() => auth({ jwt: { publicKey: secret.toString('hex'), algorithms: ['RS256'] } })).toThrow();
    expect(() => auth({ jwt: { jwks: { url: 'https://issuer.test/jwks' }, algorithms: ['HS256'] } })).toThrow(/needs a shared secret/);
    // @ts-expect-error: 'none' is not an algorithm the types allow, and the factory refuses it too
    expect(() => auth({ jwt: { secret, algorithms: ['none'] } })).toThrow(/cannot verify algorithm "none"/);
    // @ts-expect-error: two key sources
    expect(() => auth({ jwt: { secret, publicKey: rsa.publicKey, algorithms: ['HS256'] } })).toThrow(
      /exactly one of secret, publicKey or jwks/,
    );
    expect(() => auth({})).toThrow(/needs a way to authenticate callers/);
  });
});
