import type { Identity } from '../shared/identity.js';

/** How long and how many verified JWTs the auth middleware remembers. */
export interface JwtCacheOptions {
  /** The most tokens remembered; the least recently used one goes first. Default 1000. */
  readonly maxEntries?: number;
  /**
   * The longest a token is remembered after it was verified, in milliseconds; never past its `exp`. Default
   * 30 s. When a JWKS is refetched and has changed, every remembered token is verified again at its next use.
   */
  readonly ttlMs?: number;
}

interface Entry {
  readonly identity: Identity;
  /** Epoch ms from which the entry is no longer used: the earlier of `exp` and the TTL. */
  readonly until: number;
  /** Epoch ms before which the token is not valid yet (`nbf` less the clock tolerance); -Infinity without `nbf`. */
  readonly from: number;
}

/**
 * Verified JWTs by their exact text, so a caller that sends the same token on every call pays for one
 * signature check per TTL instead of one per call. Only successes are stored, and an entry is used only while
 * the clock is within `[nbf - tolerance, min(exp, verified + ttlMs))`; outside that the token is verified again
 * (and refused with the precise reason when it no longer passes).
 *
 * @example
 * const cache = new VerifiedTokenCache({ maxEntries: 1000, ttlMs: 30_000 }, 5);
 * const identity = cache.get(token, Date.now()) ?? cache.put(token, await verify(token), Date.now());
 */
export class VerifiedTokenCache {
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #toleranceMs: number;
  // A Map iterates in insertion order, so re-inserting on a hit keeps the least recently used entry first.
  readonly #entries = new Map<string, Entry>();

  constructor(options: JwtCacheOptions, clockToleranceSeconds: number) {
    const { maxEntries = 1000, ttlMs = 30_000 } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`auth({ jwt: { cache } }): maxEntries must be a positive whole number, not ${maxEntries}`);
    }
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`auth({ jwt: { cache } }): ttlMs must be positive, not ${ttlMs}`);
    this.#maxEntries = maxEntries;
    this.#ttlMs = ttlMs;
    this.#toleranceMs = clockToleranceSeconds * 1000;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** The identity of `token` when it was verified and is still within its window at `now`; else `undefined`. */
  get(token: string, now: number): Identity | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if (now >= entry.until || now < entry.from) return undefined;
    this.#entries.set(token, entry);
    return entry.identity;
  }

  /** Forgets every token, e.g. when the issuer's key set changed and some of them were verified with a retired key. */
  clear(): void {
    this.#entries.clear();
  }

  /** Remembers a token that just passed verification at `now`, with the identity it proved; returns the identity. */
  put(token: string, identity: Identity, now: number): Identity {
    const { exp, nbf } = identity.claims;
    const until = Math.min(now + this.#ttlMs, typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY);
    const from = typeof nbf === 'number' ? nbf * 1000 - this.#toleranceMs : Number.NEGATIVE_INFINITY;
    if (now >= until || Number.isNaN(until)) return identity;
    this.#entries.delete(token);
    this.#entries.set(token, { identity, until, from });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    return identity;
  }
}
