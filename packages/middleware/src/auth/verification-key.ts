import { createPublicKey, createSecretKey, type JsonWebKey, KeyObject, type webcrypto } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';

/** The JWS algorithms the auth middleware can verify. `none` is not one of them, on purpose. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/** Where the signing keys of a JWKS are fetched from, and how often. */
export interface JwksOptions {
  /** The JSON Web Key Set's URL, e.g. `https://issuer.example/.well-known/jwks.json`. */
  readonly url: string | URL;
  /**
   * A token whose `kid` is not in the cached set makes the server fetch the set again, unless the last fetch
   * was less than this long ago. Default 30 s: a rotated-in key is found on its first use (unless the set was
   * fetched within the last 30 s), and a stream of forged `kid`s cannot make the server hammer the issuer.
   */
  readonly cooldownMs?: number;
  /** How long fetched keys are trusted before they are fetched again. Default 10 min. */
  readonly cacheMaxAgeMs?: number;
  /** How long a fetch may take. Default 5 s. */
  readonly timeoutMs?: number;
}

/** A verification key given in the configuration: exactly one of the three. */
export type KeySource =
  | { readonly secret: string | Uint8Array; readonly publicKey?: never; readonly jwks?: never }
  | { readonly publicKey: KeyObject | webcrypto.CryptoKey | JsonWebKey | string; readonly secret?: never; readonly jwks?: never }
  | { readonly jwks: JwksOptions; readonly secret?: never; readonly publicKey?: never };

/** Thrown by the key lookup when the JWKS cannot be fetched: the server's problem, not the caller's. */
export class SigningKeysUnavailable extends Error {
  override readonly name = 'SigningKeysUnavailable';
}

type KeyKind = 'secret' | 'rsa' | 'ec-P-256' | 'ec-P-384' | 'ec-P-521' | 'ed25519';

const KIND_OF_ALGORITHM: Readonly<Record<JwtAlgorithm, KeyKind>> = {
  HS256: 'secret',
  HS384: 'secret',
  HS512: 'secret',
  RS256: 'rsa',
  RS384: 'rsa',
  RS512: 'rsa',
  PS256: 'rsa',
  PS384: 'rsa',
  PS512: 'rsa',
  ES256: 'ec-P-256',
  ES384: 'ec-P-384',
  ES512: 'ec-P-521',
  EdDSA: 'ed25519',
  Ed25519: 'ed25519',
};

const CURVES: Readonly<Record<string, KeyKind>> = { prime256v1: 'ec-P-256', secp384r1: 'ec-P-384', secp521r1: 'ec-P-521' };

// RFC 7518 §3.2: an HMAC key must be at least as long as the hash; 32 bytes is the floor for all of HS*.
const MIN_SECRET_BYTES = 32;

/**
 * Turns the configured key into what `jwtVerify` takes, after checking that every accepted algorithm fits it.
 * The check is what stops algorithm confusion at the door: a service configured with an RSA public key never
 * accepts HS256, so a token "signed" with that public key as an HMAC secret is refused by its `alg` alone.
 *
 * @throws Error at startup (never at call time) for a key that does not fit the algorithms.
 *
 * @example
 * const key = resolveVerificationKey({ publicKey: pem }, ['RS256']);
 */
export function resolveVerificationKey(
  source: KeySource,
  algorithms: readonly JwtAlgorithm[],
  onKeySetChanged: () => void = () => {},
): KeyObject | JWTVerifyGetKey {
  const given = [source.secret, source.publicKey, source.jwks].filter((value) => value !== undefined).length;
  if (given !== 1) throw new Error('auth({ jwt }) needs exactly one of secret, publicKey or jwks');
  if (algorithms.length === 0) throw new Error('auth({ jwt }) needs at least one algorithm in algorithms');
  for (const algorithm of algorithms) {
    if (!(algorithm in KIND_OF_ALGORITHM)) throw new Error(`auth({ jwt }) cannot verify algorithm "${String(algorithm)}"`);
  }
  if (source.jwks !== undefined) return remoteKeySet(source.jwks, algorithms, onKeySetChanged);
  const key = source.secret !== undefined ? secretKey(source.secret) : publicKey(source.publicKey);
  const kind = kindOf(key);
  const misfits = algorithms.filter((algorithm) => KIND_OF_ALGORITHM[algorithm] !== kind);
  if (misfits.length > 0) {
    throw new Error(
      `auth({ jwt }): a ${describeKind(kind)} key cannot verify ${misfits.join(', ')}; accept only the algorithms of that key`,
    );
  }
  return key;
}

function remoteKeySet(options: JwksOptions, algorithms: readonly JwtAlgorithm[], onKeySetChanged: () => void): JWTVerifyGetKey {
  const symmetric = algorithms.filter((algorithm) => KIND_OF_ALGORITHM[algorithm] === 'secret');
  if (symmetric.length > 0) {
    throw new Error(`auth({ jwt }): a JWKS publishes public keys; ${symmetric.join(', ')} needs a shared secret, give it as secret`);
  }
  const { url, cooldownMs = 30_000, cacheMaxAgeMs = 600_000, timeoutMs = 5_000 } = options;
  // jose caches the set in this closure, refetches when a token names an unknown `kid` (after the cooldown),
  // and shares one fetch between concurrent calls.
  const remote = createRemoteJWKSet(new URL(url), { cooldownDuration: cooldownMs, cacheMaxAge: cacheMaxAgeMs, timeoutDuration: timeoutMs });
  let knownSet = remote.jwks();
  // A refetched set may have retired keys: whoever remembers what those keys verified must forget it.
  const noticeChange = (): void => {
    const current = remote.jwks();
    if (current === knownSet) return;
    if (knownSet !== undefined) onKeySetChanged();
    knownSet = current;
  };
  return async function fetchSigningKey(header, token) {
    try {
      const key = await remote(header, token);
      noticeChange();
      return key;
    } catch (error: unknown) {
      noticeChange();
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      throw new SigningKeysUnavailable(`the JWKS at ${new URL(url).origin} could not be used`, { cause: error });
    }
  };
}

function secretKey(secret: string | Uint8Array): KeyObject {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`auth({ jwt }): the HMAC secret has ${bytes.byteLength} bytes; use at least ${MIN_SECRET_BYTES} random bytes`);
  }
  return createSecretKey(bytes);
}

function publicKey(input: KeyObject | webcrypto.CryptoKey | JsonWebKey | string): KeyObject {
  if (typeof input === 'string') return createPublicKey(input);
  // Node 20 has no CryptoKey class to test against (only the global one, untyped here): a JWK has `kty`.
  const key =
    input instanceof KeyObject ? input : 'kty' in input ? jwkKey(input as JsonWebKey) : KeyObject.from(input as webcrypto.CryptoKey);
  if (key.type === 'secret') throw new Error('auth({ jwt }): publicKey is a secret key; give it as secret');
  // A private key works too: only its public half is kept.
  return key.type === 'private' ? createPublicKey(key) : key;
}

function jwkKey(jwk: JsonWebKey): KeyObject {
  if (jwk.kty === 'oct') throw new Error('auth({ jwt }): publicKey is a symmetric JWK (kty "oct"); give it as secret');
  return createPublicKey({ key: jwk, format: 'jwk' });
}

function kindOf(key: KeyObject): KeyKind | undefined {
  if (key.type === 'secret') return 'secret';
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return 'rsa';
    case 'ed25519':
      return 'ed25519';
    case 'ec':
      return CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
    default:
      return undefined;
  }
}

function describeKind(kind: KeyKind | undefined): string {
  if (kind === undefined) return 'unsupported';
  return kind === 'secret' ? 'shared-secret (HMAC)' : kind.replace('ec-', 'EC ').replace('rsa', 'RSA').replace('ed25519', 'Ed25519');
}
