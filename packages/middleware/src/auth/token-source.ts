import { decodeJwt } from 'jose';

/** A token from a provider, and when it stops being valid. */
export interface ProvidedToken {
  readonly token: string;
  /**
   * When the token expires (a Date or epoch milliseconds). When left out, a JWT's `exp` is used; a token
   * with neither is kept until the server refuses it.
   */
  readonly expiresAt?: Date | number;
}

/** Options of a token source: the provider, how early to refresh, and the clock. */
export interface TokenSourceOptions {
  /** Fetches a new token (from an OAuth server, a metadata service, a file…). */
  readonly tokenProvider: () => Promise<ProvidedToken>;
  /** Refresh this long before the token expires, so no call leaves with a token about to lapse. Default 30 s. */
  readonly refreshMarginMs?: number;
  /** The current time in epoch milliseconds. Default `Date.now`; tests pass a clock they move by hand. */
  readonly clock?: () => number;
}

/** A cached token that is refreshed when needed, one refresh at a time. */
export interface TokenSource {
  /** A token to send now: the cached one while it is fresh, else the result of the (shared) refresh. */
  get(): Promise<string>;
  /** Forgets `token` when it is still the cached one (the server refused it), so the next call refreshes. */
  invalidate(token: string): void;
}

interface Cached {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Creates a token source over a provider. A fresh token is reused; within `refreshMarginMs` of its expiry the
 * next call refreshes it, and every call that needs a token meanwhile waits for that same refresh. If the
 * refresh fails while the old token is still valid, the old one is sent; once it has expired, the failure
 * is the caller's.
 *
 * @example
 * const source = createTokenSource({ tokenProvider: async () => fetchToken(), refreshMarginMs: 60_000 });
 * metadata.set('authorization', `Bearer ${await source.get()}`);
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { tokenProvider, refreshMarginMs = 30_000, clock = Date.now } = options;
  let cached: Cached | undefined;
  let refreshing: Promise<Cached> | undefined;

  const refresh = (): Promise<Cached> => {
    refreshing ??= (async () => {
      try {
        const provided = await tokenProvider();
        cached = { token: provided.token, expiresAt: expiryOf(provided) };
        return cached;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  return {
    async get() {
      const now = clock();
      if (cached !== undefined && now < cached.expiresAt - refreshMarginMs) return cached.token;
      const stale = cached;
      try {
        return (await refresh()).token;
      } catch (error: unknown) {
        if (stale !== undefined && clock() < stale.expiresAt) return stale.token;
        throw error;
      }
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

function expiryOf(provided: ProvidedToken): number {
  if (typeof provided.token !== 'string' || provided.token === '') throw new Error('the token provider returned no token');
  if (provided.expiresAt !== undefined) return provided.expiresAt instanceof Date ? provided.expiresAt.getTime() : provided.expiresAt;
  try {
    const { exp } = decodeJwt(provided.token);
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Not a JWT: an opaque token without a stated expiry.
  }
  return Number.POSITIVE_INFINITY;
}
