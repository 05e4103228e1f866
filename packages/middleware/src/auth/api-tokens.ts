import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../shared/identity.js';

/**
 * A static API token for simple deployments (a CI job, an internal tool): who holds it, and what it may do.
 * Give the token itself, or only its SHA-256 (hex), so the configuration need not hold the secret.
 */
export interface ApiToken {
  /** The caller's name: the identity's `subject`. */
  readonly name: string;
  /** The token, at least 16 characters (generate it: `openssl rand -base64 32`). */
  readonly token?: string;
  /** The SHA-256 of the token, as 64 hex digits, instead of `token`. */
  readonly sha256?: string;
  readonly scopes?: readonly string[];
  readonly roles?: readonly string[];
}

/** Finds the configured token a caller presented, or `undefined`. */
export type ApiTokenMatcher = (presented: string) => Identity | undefined;

const MIN_TOKEN_LENGTH = 16;

interface StoredToken {
  readonly digest: Buffer;
  readonly identity: Identity;
}

/**
 * Creates the matcher of static API tokens. Tokens are compared as SHA-256 digests with
 * `crypto.timingSafeEqual`: fixed-length inputs, so neither the time taken nor an early exit tells an attacker
 * how much of a guess was right, and every configured token is compared on every call.
 *
 * @throws Error at startup for an empty name, a short or duplicate token, or a malformed digest.
 *
 * @example
 * const match = createApiTokenMatcher([{ name: 'ci', token: process.env.CI_TOKEN ?? '', scopes: ['deploy'] }]);
 * match(presented)?.subject; // 'ci'
 */
export function createApiTokenMatcher(tokens: readonly ApiToken[]): ApiTokenMatcher {
  const stored = tokens.map(storedToken);
  const digests = new Set<string>();
  for (const { digest, identity } of stored) {
    const hex = digest.toString('hex');
    if (digests.has(hex)) throw new Error(`auth({ apiTokens }): "${identity.subject}" has the same token as another entry`);
    digests.add(hex);
  }
  return function matchApiToken(presented) {
    const digest = sha256(presented);
    let found: Identity | undefined;
    for (const candidate of stored) {
      // No early return: the loop takes the same time whichever entry (if any) matches.
      if (timingSafeEqual(digest, candidate.digest)) found = candidate.identity;
    }
    return found;
  };
}

function storedToken(entry: ApiToken): StoredToken {
  const { name, token, sha256: hex, scopes = [], roles = [] } = entry;
  if (name === '') throw new Error('auth({ apiTokens }): every token needs a name');
  if ((token === undefined) === (hex === undefined)) throw new Error(`auth({ apiTokens }): give "${name}" either token or sha256`);
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`auth({ apiTokens }): the token of "${name}" is shorter than ${MIN_TOKEN_LENGTH} characters; use a random one`);
  }
  if (hex !== undefined && !/^[0-9a-f]{64}$/i.test(hex))
    throw new Error(`auth({ apiTokens }): the sha256 of "${name}" is not 64 hex digits`);
  const digest = token !== undefined ? sha256(token) : Buffer.from(hex ?? '', 'hex');
  const identity: Identity = Object.freeze({
    subject: name,
    method: 'api-token',
    scopes: [...scopes],
    roles: [...roles],
    claims: { name },
  });
  return { digest, identity };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
