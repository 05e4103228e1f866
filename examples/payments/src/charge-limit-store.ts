import type { OnShutdown, OnStart } from '@wirekit/core';
import { memoryStore, type RateLimitStore, redisStore } from '@wirekit/middleware/rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PaymentsConfig } from './payments-config.js';

/**
 * Where the Charge rate limit keeps its buckets: in Redis when `PAYMENTS_REDIS_URL` is set, so that one limit
 * holds across every replica; otherwise in this process's memory, as fits a single replica. Registered with the
 * app, it connects to Redis at `listen()` (a Redis that does not answer then stops the start, since it was asked
 * for) and closes the connection at shutdown, after the last call. Once started, a Redis outage makes the limiter
 * fail open (see `rateLimit`'s `failOpen`): calls go on unlimited, and a warning is logged once per outage.
 *
 * @example
 * const chargeLimit = new ChargeLimitStore(readPaymentsConfig(), logger);
 * const app = createPaymentsApp({
 *   middleware: paymentsMiddleware(config, { logger, registry, chargeLimitStore: chargeLimit.store }),
 *   providers: [...PAYMENTS_MODULE.providers, { provide: ChargeLimitStore, useFactory: () => chargeLimit }],
 * });
 * await app.get(ChargeLimitStore); // so that the app starts and closes it
 */
export class ChargeLimitStore implements OnStart, OnShutdown {
  readonly store: RateLimitStore;
  readonly #redis: Redis | undefined;
  readonly #where: string;
  #lastError: string | undefined;

  constructor(config: Pick<PaymentsConfig, 'redisUrl' | 'redisPrefix'>, logger: Logger) {
    if (config.redisUrl === undefined) {
      this.store = memoryStore();
      this.#where = 'in memory, per replica (set PAYMENTS_REDIS_URL to share it)';
      return;
    }
    // Connected at onStart, so that a wrong URL fails the start instead of every later call.
    const redis = new Redis(config.redisUrl, { lazyConnect: true });
    // ioredis reports each failed reconnection as an event (printed to the console when nobody listens); the
    // limiter already warns once per outage, so these are kept for debugging.
    redis.on('error', (error: Error) => {
      this.#lastError = error.message;
      logger.debug({ error: error.message }, 'rate limit store: Redis connection error');
    });
    this.#redis = redis;
    this.store = redisStore({ client: redis, prefix: config.redisPrefix });
    const url = new URL(config.redisUrl);
    this.#where = `in Redis at ${url.host}, shared by every replica (PAYMENTS_REDIS_URL)`;
  }

  /** Where the buckets are, for the start-up banner; a Redis URL is shown without its credentials. */
  describe(): string {
    return this.#where;
  }

  async onStart(): Promise<void> {
    const redis = this.#redis;
    if (redis?.status !== 'wait') return;
    try {
      await redis.connect();
    } catch (error: unknown) {
      redis.disconnect();
      // The connection's own error ("connect ECONNREFUSED …") says more than connect()'s "Connection is closed".
      const reason = this.#lastError ?? (error instanceof Error ? error.message : String(error));
      throw new Error(`PAYMENTS_REDIS_URL: cannot connect to Redis (${reason})`, { cause: error });
    }
  }

  async onShutdown(): Promise<void> {
    const redis = this.#redis;
    if (!redis || redis.status === 'end') return;
    // QUIT waits for the replies of commands already sent; with no connection there is nothing to wait for.
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  }
}
