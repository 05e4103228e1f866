import type { TracerProvider } from '@opentelemetry/api';
import { type App, type AppOptions, createApp, type Provider, type ServerMiddleware } from '@wirekit/core';
import { auth } from '@wirekit/middleware/auth';
import { logging } from '@wirekit/middleware/logging';
import { metrics } from '@wirekit/middleware/metrics';
import { type RateLimitStore, rateLimit } from '@wirekit/middleware/rate-limit';
import { recovery } from '@wirekit/middleware/recovery';
import { tracing } from '@wirekit/middleware/tracing';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createLedger } from './create-ledger.js';
import { LEDGER } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { PaymentHandlers } from './payment-service.js';
import type { PaymentsConfig } from './payments-config.js';
import { DEFAULT_STREAM_LIMITS, STREAM_LIMITS } from './stream-limits.js';

/**
 * The services and providers of the payments service, for `createApp` and for `createTestApp` alike. The ledger
 * here is the in-memory one, so tests leave no files; the running service adds `ledgerProvider(config)`.
 */
export const PAYMENTS_MODULE = {
  services: [PaymentHandlers],
  providers: [MemoryLedger, { provide: LEDGER, useExisting: MemoryLedger }, { provide: STREAM_LIMITS, useValue: DEFAULT_STREAM_LIMITS }],
} satisfies AppOptions;

/**
 * The durable ledger `PAYMENTS_DB` names (SQLite by default, PostgreSQL for a URL), replacing the in-memory one
 * of `PAYMENTS_MODULE` (a later provider for a token wins). The app opens and migrates it at `listen()`
 * (`onStart`) and closes it at shutdown (`onShutdown`).
 *
 * @example
 * createPaymentsApp({ providers: [...PAYMENTS_MODULE.providers, ledgerProvider(readPaymentsConfig())] });
 */
export function ledgerProvider(config: Pick<PaymentsConfig, 'database'>): Provider {
  return { provide: LEDGER, useFactory: () => createLedger(config) };
}

const CHARGE = '/payments.v1.PaymentService/Charge';

/** What the production chain records to and counts in; `paymentsMiddleware` takes them rather than globals. */
export interface PaymentsMiddlewareDependencies {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Where the Charge limit counts (a `ChargeLimitStore`'s, Redis when configured); else a memory store of its own. */
  readonly rateLimitStore?: RateLimitStore;
  /**
   * Where server spans go; by default the global provider, which `startTelemetry` (in `main.ts`) registers. A test
   * passes one with an in-memory exporter to read the spans.
   */
  readonly tracerProvider?: TracerProvider;
}

/**
 * The production chain, outermost first: tracing (so every log line carries the trace), logging, metrics,
 * recovery, then auth and the per-caller limit on Charge. Health and reflection are served outside the chain,
 * so they stay public.
 *
 * @example
 * createPaymentsApp({ middleware: paymentsMiddleware(readPaymentsConfig(), { logger: pino(), registry: new Registry() }) });
 */
export function paymentsMiddleware(
  config: Pick<PaymentsConfig, 'apiTokens' | 'jwtSecret' | 'chargeRateLimit'>,
  dependencies: PaymentsMiddlewareDependencies,
): ServerMiddleware[] {
  const { logger, registry, rateLimitStore, tracerProvider } = dependencies;
  return [
    tracing(tracerProvider ? { tracerProvider } : {}),
    logging({ logger }),
    metrics({ registry }),
    recovery({ logger }),
    auth({
      apiTokens: config.apiTokens.map((token, index) => ({ name: `api-token-${index + 1}`, token })),
      ...(config.jwtSecret ? { jwt: { secret: config.jwtSecret, algorithms: ['HS256'] as const, audience: 'payments' } } : {}),
      logger,
    }),
    rateLimit({
      limit: 'unlimited',
      methods: { [CHARGE]: config.chargeRateLimit },
      key: 'identity',
      logger,
      ...(rateLimitStore ? { store: rateLimitStore } : {}),
    }),
  ];
}

/** The payments service as an app; `main.ts` and the loopback tests start it from here. */
export function createPaymentsApp(options: AppOptions = {}): App {
  return createApp({ ...PAYMENTS_MODULE, ...options });
}
