import { type Logger, type RpcError, Status } from '@wirekit/core';
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Identity } from '../shared/identity.js';
import { authError, unauthenticated } from './auth-error.js';
import { type JwtAlgorithm, type KeySource, resolveVerificationKey, SigningKeysUnavailable } from './verification-key.js';
import { type JwtCacheOptions, VerifiedTokenCache } from './verified-token-cache.js';

/** How bearer JWTs are verified: the key, the algorithms it signs with, and the claims a token must carry. */
export type JwtOptions = KeySource & {
  /** The algorithms accepted, all of the configured key's kind (`['RS256']`, `['ES256']`, `['HS256']`…). */
  readonly algorithms: readonly [JwtAlgorithm, ...JwtAlgorithm[]];
  /** The accepted `iss`; when set, a token without it is refused. */
  readonly issuer?: string | readonly string[];
  /** This service's name(s) as they appear in `aud`; set it, or any token of the issuer is accepted. */
  readonly audience?: string | readonly string[];
  /** Clock skew allowed on `exp` and `nbf`, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** The claim that lists the caller's roles (an array of strings, or one string). Default `roles`. */
  readonly rolesClaim?: string;
  /** The current time in epoch milliseconds; tests pass a fixed clock. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Remembers verified tokens by their exact text, so a token sent on every call is checked once per `ttlMs`
   * (default 30 s, never past its `exp`), for at most `maxEntries` tokens (default 1000). Failures are never
   * remembered; `exp` and `nbf` are checked against the clock on every call. `false` verifies every call.
   *
   * Default: on with a `secret` or `publicKey` (the key cannot change while the process runs); off with `jwks`,
   * where turning it on lets a token signed by a key the issuer has just retired through for up to `ttlMs`.
   */
  readonly cache?: false | JwtCacheOptions;
};

/** Checks one token and returns the caller it names; throws the refusal otherwise. */
export type JwtVerifier = (token: string) => Promise<Identity>;

/**
 * Creates the verifier of bearer JWTs: signature, algorithm, `exp`/`nbf` (with tolerance), issuer and
 * audience; the identity is `sub`, with scopes from `scope` (space-separated) or `scp`, and roles from
 * `rolesClaim`. Every refusal is UNAUTHENTICATED with a message naming the check that failed, except an
 * unreachable JWKS, which is UNAVAILABLE: the caller's token may be fine.
 *
 * @example
 * const verify = createJwtVerifier({ jwks: { url: 'https://issuer.example/jwks.json' }, algorithms: ['RS256'], audience: 'payments' });
 * const identity = await verify(token); // { subject: 'user-1', method: 'jwt', scopes: ['payments:read'], … }
 */
export function createJwtVerifier(options: JwtOptions, logger?: Logger): JwtVerifier {
  const { algorithms, issuer, audience, clockToleranceSeconds = 5, rolesClaim = 'roles', clock = Date.now } = options;
  // A JWKS can retire a key at any time, and a token of that key must be refused from the next fetch on.
  const cache = options.cache ?? (options.jwks === undefined ? {} : false);
  const verified = cache === false ? undefined : new VerifiedTokenCache(cache, clockToleranceSeconds);
  const key = resolveVerificationKey(options, algorithms);
  const accepted = new Set<string>(algorithms);
  const verifyOptions = {
    algorithms: [...algorithms],
    clockTolerance: clockToleranceSeconds,
    ...(issuer === undefined ? {} : { issuer: typeof issuer === 'string' ? issuer : [...issuer] }),
    ...(audience === undefined ? {} : { audience: typeof audience === 'string' ? audience : [...audience] }),
  };

  return async function verifyJwt(token) {
    const now = clock();
    const remembered = verified?.get(token, now);
    if (remembered !== undefined) return remembered;
    checkHeader(token, accepted);
    let payload: JWTPayload;
    try {
      // jose overloads on the key's type; both of ours (a KeyObject, a key lookup) are accepted at run time.
      payload = (await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], { ...verifyOptions, currentDate: new Date(now) })).payload;
    } catch (error: unknown) {
      throw refusal(error, logger);
    }
    const identity = identityOf(payload, rolesClaim);
    // Remembered from `now`, the time it was checked against, not from when a slow key lookup finished.
    return verified === undefined ? identity : verified.put(token, identity, now);
  };
}

/** Refuses, before any cryptography, what the header alone shows to be wrong. */
function checkHeader(token: string, accepted: ReadonlySet<string>): void {
  if (token.split('.').length !== 3)
    throw unauthenticated('MALFORMED_CREDENTIALS', 'the bearer token is not a JWT (header.payload.signature)');
  let algorithm: unknown;
  try {
    algorithm = decodeProtectedHeader(token).alg;
  } catch {
    throw unauthenticated('MALFORMED_CREDENTIALS', 'the bearer token is not a JWT: its header is not base64url JSON');
  }
  if (typeof algorithm !== 'string') throw unauthenticated('MALFORMED_CREDENTIALS', 'the JWT header has no "alg"');
  if (algorithm.toLowerCase() === 'none')
    throw unauthenticated('UNSIGNED_TOKEN', 'the JWT is unsigned (alg "none"); tokens must be signed');
  if (!accepted.has(algorithm)) {
    throw unauthenticated(
      'ALGORITHM_NOT_ALLOWED',
      `the JWT is signed with ${describe(algorithm)}, which this service does not accept (accepted: ${[...accepted].join(', ')})`,
    );
  }
}

function describe(algorithm: string): string {
  // The header is the caller's text: quote only something that looks like an algorithm name.
  return /^[A-Za-z0-9]{1,16}$/.test(algorithm) ? `"${algorithm}"` : 'an unknown algorithm';
}

/** Maps what jose threw to the refusal the client sees; never with jose's error as the cause, which holds the claims. */
function refusal(error: unknown, logger: Logger | undefined): RpcError {
  if (error instanceof SigningKeysUnavailable) {
    logger?.error({ err: error.cause, reason: error.message }, 'auth: the signing keys could not be fetched; calls with JWTs fail');
    return authError(
      Status.UNAVAILABLE,
      'SIGNING_KEYS_UNAVAILABLE',
      'the signing keys to verify the token could not be fetched; retry later',
    );
  }
  if (error instanceof errors.JWTExpired) return unauthenticated('TOKEN_EXPIRED', `the token expired${atClaim(error.payload.exp)}`);
  if (error instanceof errors.JWTClaimValidationFailed) return claimRefusal(error);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return unauthenticated('BAD_SIGNATURE', 'the token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey)
    return unauthenticated('UNKNOWN_SIGNING_KEY', 'no signing key of the issuer matches the token (kid and alg)');
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthenticated('UNKNOWN_SIGNING_KEY', 'several signing keys match the token; it must name one with "kid"');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return unauthenticated('ALGORITHM_NOT_ALLOWED', 'the token algorithm is not accepted');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return unauthenticated('MALFORMED_CREDENTIALS', 'the bearer token is not a well-formed JWT');
  }
  // Anything else (an unsupported key in the JWKS, an unexpected TypeError) is logged without the token.
  logger?.warn({ err: error }, 'auth: a JWT could not be verified for an unexpected reason');
  return unauthenticated('BAD_SIGNATURE', 'the token could not be verified');
}

function claimRefusal(error: errors.JWTClaimValidationFailed): RpcError {
  const missing = error.reason === 'missing';
  switch (error.claim) {
    case 'nbf':
      return unauthenticated('TOKEN_NOT_YET_VALID', `the token is not valid yet${atClaim(error.payload.nbf, 'until')}`);
    case 'iss':
      return unauthenticated('WRONG_ISSUER', missing ? 'the token has no issuer (iss)' : 'the token issuer (iss) is not accepted');
    case 'aud':
      return unauthenticated('WRONG_AUDIENCE', missing ? 'the token has no audience (aud)' : 'the token is for another audience (aud)');
    default:
      return unauthenticated('INVALID_CLAIMS', `the token "${error.claim}" claim is ${missing ? 'missing' : 'invalid'}`);
  }
}

function atClaim(seconds: unknown, preposition = 'at'): string {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? ` ${preposition} ${new Date(seconds * 1000).toISOString()}` : '';
}

function identityOf(claims: JWTPayload, rolesClaim: string): Identity {
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw unauthenticated('INVALID_CLAIMS', 'the token has no subject (sub)');
  }
  // Frozen through and through: a remembered identity is shared by every call that sends the same token, so no
  // handler may change what another call sees.
  return Object.freeze({
    subject: claims.sub,
    method: 'jwt',
    scopes: Object.freeze(scopesOf(claims)),
    roles: Object.freeze(strings(claims[rolesClaim])),
    claims: deepFreeze({ ...claims }),
  });
}

/** Freezes parsed JSON (plain objects and arrays) at every depth. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function scopesOf(claims: JWTPayload): readonly string[] {
  // `scope` is RFC 8693's space-separated string; `scp` is the list some issuers (Azure AD, Okta) send instead.
  const scope = claims.scope;
  return typeof scope === 'string' ? scope.split(' ').filter((item) => item !== '') : strings(claims.scp);
}

function strings(value: unknown): readonly string[] {
  if (typeof value === 'string') return value.split(' ').filter((item) => item !== '');
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
