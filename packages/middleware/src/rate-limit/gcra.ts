import type { ParsedLimit } from './parse-limit.js';

/** The outcome of one decision of the generic cell rate algorithm. */
export interface GcraOutcome {
  readonly allowed: boolean;
  /** The bucket's theoretical arrival time to store: moved on when allowed, unchanged when refused. */
  readonly tat: number;
  /** Calls still allowed right now, after this one. */
  readonly remaining: number;
  /** When refused, how long until the call would be allowed; otherwise 0. */
  readonly retryAfterMs: number;
}

/**
 * One rate decision by GCRA, the token bucket kept as a single number: the "theoretical arrival time" at which
 * the bucket would be full again. A bucket never seen, or whose time has passed, is full. Pure, so the memory
 * store and the tests share it; `redis-store.ts` runs the same arithmetic in Lua.
 *
 * @example
 * const first = gcra(undefined, 0, parseLimit('2/s')!, 1); // allowed, remaining 1
 */
// Times are doubles: once an interval has been added and taken away, a call exactly on time can come out a
// rounding error late (with `performance.now()` about one fresh bucket in three of a '1/min' limit refused its
// first call). A call less than a microsecond late counts as on time.
const ON_TIME_MS = 1e-3;

export function gcra(storedTat: number | undefined, now: number, limit: ParsedLimit, cost: number): GcraOutcome {
  const interval = limit.periodMs / limit.count;
  const tat = Math.max(storedTat ?? now, now);
  const nextTat = tat + cost * interval;
  const allowAt = nextTat - limit.burst * interval;
  if (allowAt - now > ON_TIME_MS) return { allowed: false, tat, remaining: 0, retryAfterMs: allowAt - now };
  return { allowed: true, tat: nextTat, remaining: Math.max(0, Math.floor((now - allowAt) / interval)), retryAfterMs: 0 };
}
