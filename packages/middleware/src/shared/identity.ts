import { createContextKey } from '@wirekit/core';

/** Who is calling, as the auth middleware established it. */
export interface Identity {
  /** The caller: a JWT's `sub`, an API token's name, a certificate's subject. */
  readonly subject: string;
  /** How the caller proved it. */
  readonly method: 'jwt' | 'api-token' | 'mtls' | 'test';
  /** OAuth-style scopes the caller holds (a JWT's `scope`/`scp`, or configured for a token). */
  readonly scopes: readonly string[];
  /** Roles the caller holds (a JWT's `roles`, or configured for a token). */
  readonly roles: readonly string[];
  /** The verified JWT claims, or the certificate's fields; never the token itself. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * The per-call key under which the auth middleware puts the caller's identity; handlers, logging and rate
 * limiting read it, and tests set it directly (`createTestApp({ callContext })`) instead of minting tokens.
 *
 * @example
 * const caller = ctx.get(identityKey)?.subject;
 */
export const identityKey = createContextKey<Identity | undefined>(undefined, 'wirekit.identity');
