import { randomBytes } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../shared/identity.js';
import { authFailureReason } from './auth-error.js';
import { createJwtVerifier, type JwtOptions } from './jwt-verifier.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const NOW = Date.UTC(2030, 0, 1) / 1000; // seconds
const secret = randomBytes(32);
const otherSecret = randomBytes(32);

function sign(claims: JWTPayload = {}, key: Uint8Array = secret): Promise<string> {
  return new SignJWT({ sub: 'user-1', aud: 'echo', iat: NOW, exp: NOW + 300, ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(key);
}

/** A verifier whose clock the test moves, in epoch milliseconds. */
function verifier(options: Partial<JwtOptions> = {}) {
  const clock = { now: NOW * 1000 };
  const verify = createJwtVerifier({ secret, algorithms: ['HS256'], audience: 'echo', clock: () => clock.now, ...options } as JwtOptions);
  return { clock, verify };
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error: unknown) {
    return authFailureReason(error);
  }
  return undefined;
}

function identity(claims: JWTPayload): Identity {
  return { subject: 'user-1', method: 'jwt', scopes: [], roles: [], claims };
}

describe('createJwtVerifier: remembered tokens', () => {
  it('answers a repeated token from the cache (the same identity object), a fresh verification without it', async () => {
    const token = await sign();
    const cached = verifier();
    expect(await cached.verify(token)).toBe(await cached.verify(token));
    const uncached = verifier({ cache: false });
    const first = await uncached.verify(token);
    expect(await uncached.verify(token)).not.toBe(first);
    expect(await uncached.verify(token)).toEqual(first);
  });

  it('refuses an expired token even though it was remembered while valid', async () => {
    const { clock, verify } = verifier({ cache: { ttlMs: 3_600_000 } });
    const token = await sign({ exp: NOW + 60 });
    expect((await verify(token)).subject).toBe('user-1');
    clock.now = (NOW + 30) * 1000;
    expect((await verify(token)).subject).toBe('user-1');
    // Past `exp` plus the 5 s tolerance: verified again, and refused with the precise reason.
    clock.now = (NOW + 66) * 1000;
    expect(await refusal(verify(token))).toBe('TOKEN_EXPIRED');
  });

  it('refuses a remembered token when the clock goes back before its nbf', async () => {
    const { clock, verify } = verifier();
    const token = await sign({ nbf: NOW - 10 });
    await verify(token);
    clock.now = (NOW - 20) * 1000;
    expect(await refusal(verify(token))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('verifies a different token with the same claims: a forged signature is refused', async () => {
    const { verify } = verifier();
    const claims = { jti: 'same' };
    const genuine = await sign(claims);
    await verify(genuine);
    expect(await refusal(verify(await sign(claims, otherSecret)))).toBe('BAD_SIGNATURE');
    const [header, payload, signature = ''] = genuine.split('.');
    const tampered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await refusal(verify(tampered))).toBe('BAD_SIGNATURE');
    expect((await verify(genuine)).subject).toBe('user-1');
  });

  it('never remembers a refusal as a success, nor a success as a refusal', async () => {
    const { clock, verify } = verifier();
    const token = await sign({ nbf: NOW + 60 });
    expect(await refusal(verify(token))).toBe('TOKEN_NOT_YET_VALID');
    expect(await refusal(verify(token))).toBe('TOKEN_NOT_YET_VALID');
    clock.now = (NOW + 60) * 1000;
    expect((await verify(token)).subject).toBe('user-1');
  });

  it('verifies a remembered token again once its TTL has passed', async () => {
    const { clock, verify } = verifier({ cache: { ttlMs: 10_000 } });
    const token = await sign();
    const first = await verify(token);
    clock.now += 9_999;
    expect(await verify(token)).toBe(first);
    clock.now += 1;
    const second = await verify(token);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('hands out identities frozen at every depth, since calls with the same token share one', async () => {
    const { verify } = verifier();
    const found = await verify(await sign({ scope: 'a b', roles: ['admin'], org: { id: 'o-1', teams: ['x'] } }));
    expect(Object.isFrozen(found)).toBe(true);
    expect(Object.isFrozen(found.scopes)).toBe(true);
    expect(Object.isFrozen(found.roles)).toBe(true);
    const org = found.claims.org as { teams: string[] };
    expect(Object.isFrozen(org)).toBe(true);
    expect(Object.isFrozen(org.teams)).toBe(true);
  });

  it('rejects a cache of no entries or no time at startup', () => {
    expect(() => verifier({ cache: { maxEntries: 0 } })).toThrow(/maxEntries/);
    expect(() => verifier({ cache: { ttlMs: 0 } })).toThrow(/ttlMs/);
  });
});

describe('VerifiedTokenCache', () => {
  const now = NOW * 1000;

  it('holds at most maxEntries tokens, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2 }, 5);
    const [a, b, c] = [identity({}), identity({}), identity({})];
    cache.put('a', a, now);
    cache.put('b', b, now);
    expect(cache.get('a', now)).toBe(a); // now "b" is the least recently used
    cache.put('c', c, now);
    expect(cache.size).toBe(2);
    expect(cache.get('b', now)).toBeUndefined();
    expect(cache.get('a', now)).toBe(a);
    expect(cache.get('c', now)).toBe(c);
  });

  it('uses an entry only before the earlier of exp and the TTL, and from nbf less the tolerance', () => {
    const cache = new VerifiedTokenCache({ ttlMs: 60_000 }, 5);
    const soon = identity({ exp: NOW + 10, nbf: NOW - 1 });
    cache.put('soon', soon, now);
    expect(cache.get('soon', now - 6_001)).toBeUndefined(); // before nbf - 5 s: dropped
    cache.put('soon', soon, now);
    expect(cache.get('soon', now + 9_999)).toBe(soon);
    expect(cache.get('soon', now + 10_000)).toBeUndefined();
    expect(cache.size).toBe(0);
    const late = identity({ exp: NOW + 3600 });
    cache.put('late', late, now);
    expect(cache.get('late', now + 59_999)).toBe(late);
    expect(cache.get('late', now + 60_000)).toBeUndefined();
  });

  it('does not keep a token that is already past its exp', () => {
    const cache = new VerifiedTokenCache({}, 5);
    cache.put('late', identity({ exp: NOW - 1 }), now);
    expect(cache.size).toBe(0);
  });
});
