import { createHash, randomBytes } from 'node:crypto';
import { Metadata, Status } from '@wirekit/core';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiTokenMatcher } from './api-tokens.js';
import { type AuthOptions, auth } from './auth.js';
import { addWhoAmI, callEveryMode, EchoService, everyMode, type HandlerLog, type RunningApp, startApp } from './test-support/who-am-i.js';

const ciToken = randomBytes(24).toString('base64url');
const opsToken = randomBytes(24).toString('base64url');
const secret = randomBytes(32);

function bearer(token: string) {
  return { metadata: new Metadata({ authorization: `Bearer ${token}` }) };
}

describe('auth: static API tokens', () => {
  let running: RunningApp | undefined;
  let log: HandlerLog;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  async function serve(options: AuthOptions) {
    running = await startApp({ middleware: [auth(options)] }, (app) => {
      log = addWhoAmI(app);
    });
    return running.client(EchoService);
  }

  it('authenticates each configured token as its name, in all four modes, given as the token or its SHA-256', async () => {
    const client = await serve({
      apiTokens: [
        { name: 'ci', token: ciToken, scopes: ['deploy'] },
        { name: 'ops', sha256: createHash('sha256').update(opsToken).digest('hex'), roles: ['admin'] },
      ],
    });
    expect(await callEveryMode(client, bearer(ciToken))).toEqual(everyMode({ ok: 'ci api-token' }));
    expect(await callEveryMode(client, bearer(opsToken))).toEqual(everyMode({ ok: 'ops api-token' }));
  });

  it('refuses an unknown token, and a prefix or extension of a known one, without naming it', async () => {
    const client = await serve({ apiTokens: [{ name: 'ci', token: ciToken }] });
    for (const token of [randomBytes(24).toString('base64url'), ciToken.slice(0, -1), `${ciToken}A`]) {
      const outcomes = await callEveryMode(client, bearer(token));
      expect(outcomes).toEqual(
        everyMode({ code: Status.UNAUTHENTICATED, reason: 'UNKNOWN_API_TOKEN', message: 'the bearer token is not a known API token' }),
      );
    }
    expect(log.called).toEqual([]);
  });

  it('accepts API tokens and JWTs side by side: a token that is not a configured one is verified as a JWT', async () => {
    const client = await serve({ apiTokens: [{ name: 'ci', token: ciToken }], jwt: { secret, algorithms: ['HS256'] } });
    const jwt = await new SignJWT({ sub: 'user-1' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(secret);
    expect(await callEveryMode(client, bearer(ciToken))).toEqual(everyMode({ ok: 'ci api-token' }));
    expect(await callEveryMode(client, bearer(jwt))).toEqual(everyMode({ ok: 'user-1 jwt' }));
    expect((await callEveryMode(client, bearer('not-a-known-token-at-all')))[0]).toMatchObject({ reason: 'UNKNOWN_API_TOKEN' });
    const forged = await new SignJWT({ sub: 'admin' }).setProtectedHeader({ alg: 'HS256' }).sign(randomBytes(32));
    expect((await callEveryMode(client, bearer(forged)))[0]).toMatchObject({ reason: 'BAD_SIGNATURE' });
  });

  it('compares every configured token on every call, so the time taken does not depend on which one matched', () => {
    // The comparison itself is crypto.timingSafeEqual on SHA-256 digests; what a test can check is that the
    // matcher finds the right entry whatever its position, and the last one as surely as the first.
    const tokens = Array.from({ length: 5 }, (_, index) => ({ name: `t${index}`, token: randomBytes(24).toString('base64url') }));
    const match = createApiTokenMatcher(tokens);
    for (const { name, token } of tokens) expect(match(token)?.subject).toBe(name);
    expect(match('')).toBeUndefined();
  });

  it('refuses weak or ambiguous configuration at startup', () => {
    expect(() => auth({ apiTokens: [{ name: 'ci', token: 'short' }] })).toThrow(/shorter than 16 characters/);
    expect(() => auth({ apiTokens: [{ name: '', token: ciToken }] })).toThrow(/needs a name/);
    expect(() => auth({ apiTokens: [{ name: 'ci' }] })).toThrow(/either token or sha256/);
    expect(() => auth({ apiTokens: [{ name: 'ci', token: ciToken, sha256: 'ab' }] })).toThrow(/either token or sha256/);
    expect(() => auth({ apiTokens: [{ name: 'ci', sha256: 'not hex' }] })).toThrow(/not 64 hex digits/);
    expect(() =>
      auth({
        apiTokens: [
          { name: 'a', token: ciToken },
          { name: 'b', token: ciToken },
        ],
      }),
    ).toThrow(/"b" has the same token as another entry/);
  });
});
