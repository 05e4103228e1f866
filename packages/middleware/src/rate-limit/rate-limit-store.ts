import type { ParsedLimit } from './parse-limit.js';

/** What a store answers for one call. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Calls still allowed right now under this limit. */
  readonly remaining: number;
  /** When refused, how long until the next token is available; otherwise 0. */
  readonly retryAfterMs: number;
}

/**
 * Where the buckets live. `take` must decide atomically, so that concurrent calls (or replicas sharing the
 * store) never spend the same token twice. A store that cannot decide rejects; the limiter then fails open or
 * closed as configured.
 *
 * @example
 * const store: RateLimitStore = redisStore({ client: new Redis(url), prefix: 'payments:' });
 */
export interface RateLimitStore {
  /** Takes `cost` tokens from the bucket `key` under `limit`, or refuses and says when to come back. */
  take(key: string, limit: ParsedLimit, cost: number): Promise<RateLimitDecision>;
}
