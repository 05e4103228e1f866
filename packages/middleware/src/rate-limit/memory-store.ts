import { gcra } from './gcra.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Options of `memoryStore`. */
export interface MemoryStoreOptions {
  /** Milliseconds from any fixed origin; tests pass a clock they move by hand. Default: `performance.now()`. */
  readonly clock?: () => number;
}

// Below this many buckets a sweep is not worth its cost.
const MIN_SWEEP_SIZE = 1_024;

/**
 * Buckets in this process's memory: the default store. Limits hold per replica, not across them (use
 * `redisStore` for that). Buckets that have refilled are dropped, so memory follows the callers seen recently.
 *
 * @example
 * let now = 0;
 * const store = memoryStore({ clock: () => now });
 */
export function memoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  // Monotonic by default: a wall-clock step backwards must not hand out or withhold tokens.
  const { clock = () => performance.now() } = options;
  const buckets = new Map<string, number>();
  let sweepAt = MIN_SWEEP_SIZE;
  return {
    async take(key, limit, cost) {
      const now = clock();
      if (buckets.size >= sweepAt) {
        // A bucket whose time has passed is full, exactly like one never seen, so it can go. Sweeping when the
        // map doubles keeps the cost per call constant.
        for (const [bucket, tat] of buckets) if (tat <= now) buckets.delete(bucket);
        sweepAt = Math.max(MIN_SWEEP_SIZE, buckets.size * 2);
      }
      const outcome = gcra(buckets.get(key), now, limit, cost);
      if (outcome.allowed) buckets.set(key, outcome.tat);
      return { allowed: outcome.allowed, remaining: outcome.remaining, retryAfterMs: outcome.retryAfterMs };
    },
  };
}
