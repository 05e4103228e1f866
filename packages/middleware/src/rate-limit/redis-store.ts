import { createHash } from 'node:crypto';
import type { RateLimitDecision, RateLimitStore } from './rate-limit-store.js';

/**
 * The two commands the store needs, as an ioredis `Redis` or `Cluster` has them. Typed here rather than
 * imported, so that importing `@wirekit/middleware/rate-limit` never needs ioredis, an optional peer.
 */
export interface RedisScriptClient {
  /**
   * The connection's state, as ioredis reports it (`'ready'` when connected). When the client has one, the store
   * refuses a decision at once while a lost connection is being re-established, instead of leaving its script in
   * the client's offline queue: the limiter has decided without it by then, and the queued scripts would all
   * run when Redis is back, spending tokens for calls already let through or refused.
   */
  readonly status?: string;
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Options of `redisStore`. */
export interface RedisStoreOptions {
  /** A connected client; the store never closes it. */
  readonly client: RedisScriptClient;
  /** Put before every bucket key, so services (and test runs) sharing a Redis never share buckets. */
  readonly prefix?: string;
  /**
   * How long one decision may take before it counts as a failure (and the limiter fails open or closed).
   * A stalled connection, or a client that queues commands while it connects, would otherwise hold every call.
   * A script that reaches Redis later than this (by Redis's clock, as the store has learned it) spends nothing.
   */
  readonly timeoutMs?: number;
}

// One GCRA decision (see gcra.ts), atomic because Redis runs a script alone. The time comes from Redis, not from
// the replicas, so that replicas whose clocks disagree still share one bucket correctly. The bucket key holds the
// theoretical arrival time in milliseconds and expires when the bucket would be full, which is the same as absent.
// A call less than a microsecond late counts as on time, as in gcra.ts: the sums are doubles.
// ARGV[4] is when the store stops waiting, on Redis's clock (0: unknown yet). A script run later than that (sent
// down a stalled connection, or sent again by the client after a reconnect) changes nothing: the call it was for
// has been let through or refused without it. Every reply ends with Redis's time, from which the store learns
// how far Redis's clock is from its own.
const GCRA_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local now_text = string.format('%.3f', now)
local give_up_at = tonumber(ARGV[4])
if give_up_at > 0 and now > give_up_at then
  return {-1, 0, '0', now_text}
end
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + cost * interval
local allow_at = next_tat - capacity
if allow_at - now > 0.001 then
  return {0, 0, string.format('%.3f', allow_at - now), now_text}
end
redis.call('SET', KEYS[1], string.format('%.3f', next_tat), 'PX', math.max(1, math.ceil(next_tat - now)))
return {1, math.max(0, math.floor((now - allow_at) / interval)), '0', now_text}
`;

/**
 * Buckets in Redis, shared by every replica that uses the same prefix: each decision is one Lua script, so a
 * limit holds across the whole fleet with no race between replicas. Works with ioredis `Redis` and `Cluster`
 * (one key per script).
 *
 * @example
 * import { Redis } from 'ioredis';
 * const store = redisStore({ client: new Redis(process.env.REDIS_URL!), prefix: 'payments:rate-limit:' });
 * const app = createApp({ middleware: [rateLimit({ limit: '100/s', key: 'identity', store })] });
 */
export function redisStore(options: RedisStoreOptions): RateLimitStore {
  const { client, prefix = 'wirekit:rate-limit:', timeoutMs = 250 } = options;
  const sha = createHash('sha1').update(GCRA_SCRIPT).digest('hex');
  // Until the client has been seen connected (startup, `lazyConnect`), a command may wait while it connects, up to
  // `timeoutMs`; 'connecting' then means a first connection. After that it means a lost one, like 'reconnecting'.
  let seenReady = false;
  const assertConnected = () => {
    const { status } = client;
    if (status === undefined) return;
    if (status === 'ready') seenReady = true;
    else if (seenReady || LOST_STATES.has(status)) throw redisUnavailable(`the Redis connection is ${status}`, 'NOT_CONNECTED');
  };
  // Redis's clock minus `performance.now()`. Each sample is low by the time its reply took to be read, so the
  // largest is the closest; a Redis clock that later falls behind only makes the give-up time later, never early.
  let redisClockAhead: number | undefined;
  const giveUpAt = () => (redisClockAhead === undefined ? 0 : performance.now() + redisClockAhead + timeoutMs);
  const run = async (args: (string | number)[]): Promise<unknown> => {
    try {
      return await client.evalsha(sha, 1, ...args);
    } catch (error: unknown) {
      // The first call on a fresh Redis (or after SCRIPT FLUSH) has to send the script itself.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(GCRA_SCRIPT, 1, ...args);
      throw error;
    }
  };
  return {
    async take(key, limit, cost) {
      assertConnected();
      const interval = limit.periodMs / limit.count;
      const reply = await withTimeout(run([`${prefix}${key}`, interval, interval * limit.burst, cost, giveUpAt()]), timeoutMs);
      const { decision, redisNow } = readReply(reply);
      const ahead = redisNow - performance.now();
      redisClockAhead = redisClockAhead === undefined ? ahead : Math.max(redisClockAhead, ahead);
      // Redis ran it past the store's deadline; the store's own timer had not fired yet only because the process
      // was busy, or because the learned clock offset was early by a reply's transit time. Either way, too late.
      if (!decision) throw redisUnavailable(`Redis ran the decision after the store's ${timeoutMs} ms had passed`, 'TIMEOUT');
      return decision;
    },
  };
}

/** ioredis states (of `Redis` and `Cluster`) that only follow a connection that was lost or closed. */
const LOST_STATES: ReadonlySet<string> = new Set(['close', 'reconnecting', 'disconnecting', 'end']);

/** What the limiter logs is the error's name and code (see rate-limit.ts), so both say what happened. */
function redisUnavailable(message: string, code: 'NOT_CONNECTED' | 'TIMEOUT'): Error {
  return Object.assign(new Error(message), { name: 'RedisUnavailableError', code });
}

/** The script's reply: a decision, or none when Redis ran it too late; and Redis's time when it ran. */
function readReply(reply: unknown): { decision: RateLimitDecision | undefined; redisNow: number } {
  if (!Array.isArray(reply) || reply.length !== 4) throw new TypeError('the rate limit script returned an unexpected reply');
  const [allowed, remaining, retryAfterMs, redisNow] = (reply as unknown[]).map(Number) as [number, number, number, number];
  const decision = allowed === -1 ? undefined : { allowed: allowed === 1, remaining, retryAfterMs };
  return { decision, redisNow };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    // The rejection waits for the loop's I/O phase (setImmediate runs after it): when the process itself was busy
    // past the deadline, a reply that arrived meanwhile is read and wins, instead of counting as an outage.
    const expire = () => reject(redisUnavailable(`the rate limit store did not answer within ${timeoutMs} ms`, 'TIMEOUT'));
    timer = setTimeout(() => setImmediate(expire), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
