import { randomBytes } from 'node:crypto';

/** How the payments service runs, read from the environment. */
export interface PaymentsConfig {
  /** `PAYMENTS_ADDR`, default `127.0.0.1:50051`. */
  readonly address: string;
  /** `PAYMENTS_METRICS_ADDR`, default `127.0.0.1:9464`: where Prometheus scrapes `/metrics`. */
  readonly metricsAddress: string;
  /** `PAYMENTS_API_TOKENS`, comma-separated static bearer tokens. */
  readonly apiTokens: readonly string[];
  /** `PAYMENTS_JWT_SECRET`: accept HS256 JWTs with audience `payments` signed with it. */
  readonly jwtSecret: string | undefined;
  /** A token made at start when neither tokens nor a JWT secret were configured; printed in the banner. */
  readonly generatedToken: string | undefined;
  /** `PAYMENTS_RATE_LIMIT`: Charge calls per caller, e.g. `100/s` (the default, generous). */
  readonly chargeRateLimit: string;
  /**
   * `PAYMENTS_REDIS_URL`: a `redis://` or `rediss://` URL. When set, the Charge rate limit keeps its buckets in
   * Redis, so one limit holds across every replica that uses it; when unset (the default), each replica counts in
   * its own memory and a fleet of N allows N times the limit.
   */
  readonly redisUrl: string | undefined;
  /**
   * `PAYMENTS_REDIS_PREFIX`, default `payments:rate-limit:`: put before every key the service writes in Redis, so
   * deployments sharing one Redis (staging and production, or test runs) never share a bucket.
   */
  readonly redisPrefix: string;
  /**
   * `PAYMENTS_DB`, default `./data/payments.db`: a SQLite file path (its directory is created on first start),
   * or a `postgres://` / `postgresql://` URL for a ledger shared by several replicas.
   */
  readonly database: string;
  /**
   * `PAYMENTS_SHUTDOWN_GRACE_MS`, default 10000: how long calls in progress may run after SIGTERM or SIGINT before
   * they are cancelled (a cancelled ImportLedger commits nothing). Keep it below the orchestrator's kill timeout.
   */
  readonly shutdownGraceMs: number;
}

/** Reads the configuration; a bad value throws naming the variable and what it should look like. */
export function readPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const apiTokens = (env.PAYMENTS_API_TOKENS ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
  for (const token of apiTokens) {
    if (token.length < 16)
      throw new Error('PAYMENTS_API_TOKENS: each token needs at least 16 characters (make one with: openssl rand -base64 32)');
  }
  const jwtSecret = env.PAYMENTS_JWT_SECRET === '' ? undefined : env.PAYMENTS_JWT_SECRET;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new Error('PAYMENTS_JWT_SECRET needs at least 32 bytes for HS256 (make one with: openssl rand -base64 48)');
  }
  const shutdownGraceMs = Number(env.PAYMENTS_SHUTDOWN_GRACE_MS || '10000');
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs < 0) {
    throw new Error(
      `PAYMENTS_SHUTDOWN_GRACE_MS must be a whole number of milliseconds, such as 10000; got "${env.PAYMENTS_SHUTDOWN_GRACE_MS}"`,
    );
  }
  const redisUrl = env.PAYMENTS_REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//i.test(redisUrl)) {
    throw new Error('PAYMENTS_REDIS_URL must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379');
  }
  const generatedToken = apiTokens.length === 0 && jwtSecret === undefined ? randomBytes(24).toString('base64url') : undefined;
  return {
    address: env.PAYMENTS_ADDR ?? '127.0.0.1:50051',
    metricsAddress: env.PAYMENTS_METRICS_ADDR ?? '127.0.0.1:9464',
    apiTokens: generatedToken ? [generatedToken] : apiTokens,
    jwtSecret,
    generatedToken,
    chargeRateLimit: env.PAYMENTS_RATE_LIMIT ?? '100/s',
    redisUrl,
    redisPrefix: env.PAYMENTS_REDIS_PREFIX || 'payments:rate-limit:',
    database: env.PAYMENTS_DB || './data/payments.db',
    shutdownGraceMs,
  };
}
