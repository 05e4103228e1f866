import type { OnShutdown } from '@wirekit/core';
import { createPinoLogger } from '@wirekit/middleware/logging';
import { serveMetrics } from '@wirekit/middleware/metrics';
import { startTelemetry } from '@wirekit/middleware/tracing';
import { Registry } from 'prom-client';
import { ChargeLimitStore } from './charge-limit-store.js';
import { describeLedger } from './create-ledger.js';
import { createPaymentsApp, ledgerProvider, PAYMENTS_MODULE, paymentsMiddleware } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';

const config = readConfigOrExit();
// Without an OpenTelemetry collector configured, traces are not exported (set OTEL_TRACES_EXPORTER=otlp and
// OTEL_EXPORTER_OTLP_ENDPOINT to send them); the standard OTEL_* variables decide the rest.
process.env.OTEL_TRACES_EXPORTER ??= process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'none';
process.env.OTEL_METRICS_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';
const telemetry = await startTelemetry({ serviceName: 'payments' });
const logger = createPinoLogger({ name: 'payments' });
const registry = new Registry();
const [metricsHost, metricsPort] = splitAddress(config.metricsAddress);
const metricsServer = await serveMetrics({ registry, host: metricsHost, port: metricsPort });
// The Charge limit's buckets: in Redis with PAYMENTS_REDIS_URL (one limit for every replica), else in memory.
const chargeLimit = new ChargeLimitStore(config, logger);

// Closed by the app's graceful shutdown (SIGTERM, SIGINT), after the last call: traces flushed, scrapes stopped.
class Observability implements OnShutdown {
  async onShutdown(): Promise<void> {
    await metricsServer.close();
    await telemetry.onShutdown();
    logger.flush();
  }
}
// On SIGTERM or SIGINT, calls in progress get PAYMENTS_SHUTDOWN_GRACE_MS (default 10 s) to finish; then they are
// cancelled, the store closes and the process exits 0. The signal has to reach this process: under `npm start` it
// does because both start scripts (root and workspace) `exec`. npm forwards SIGTERM and SIGINT to its child, the
// shell running the script; without `exec` that shell dies of the signal and this process is left orphaned, still
// serving. Watching for the orphaning (polling process.ppid) would also stop a server someone started with `nohup`
// from a shell that then exits, so the signal path is the one relied on. PAYMENTS_ADDR and PAYMENTS_METRICS_ADDR
// accept port 0 (a free port); the banner prints the ports chosen.
const app = createPaymentsApp({
  logger,
  shutdownGraceMs: config.shutdownGraceMs,
  middleware: paymentsMiddleware(config, { logger, registry, rateLimitStore: chargeLimit.store }),
  providers: [
    ...PAYMENTS_MODULE.providers,
    ledgerProvider(config),
    { provide: Observability, useFactory: () => new Observability() },
    { provide: ChargeLimitStore, useFactory: () => chargeLimit },
  ],
});
await app.get(Observability);
await app.get(ChargeLimitStore);
const { address } = await app.listen(config.address);

const authorization = config.generatedToken
  ? `authorization: Bearer ${config.generatedToken}`
  : config.jwtSecret
    ? 'authorization: Bearer <an HS256 JWT with aud "payments", signed with PAYMENTS_JWT_SECRET>'
    : 'authorization: Bearer <one of PAYMENTS_API_TOKENS>';
process.stdout.write(
  [
    '',
    `  Wirekit payments service listening on ${address} (plaintext; health and reflection on)`,
    `  Metrics: http://${metricsHost}:${metricsServer.port}/metrics`,
    `  Store: ${describeLedger(config)} (PAYMENTS_DB)`,
    `  Charge rate limit: ${config.chargeRateLimit} per caller (PAYMENTS_RATE_LIMIT), counted ${chargeLimit.describe()}`,
    config.generatedToken ? `  No PAYMENTS_API_TOKENS or PAYMENTS_JWT_SECRET set: this run's token is ${config.generatedToken}` : '',
    '',
    '  Try it from another terminal at the repository root, with the wirekit command:',
    `    npm run wirekit -- call --plaintext ${address} list`,
    `    npm run wirekit -- call --plaintext -H '${authorization}' -d '{"orderId":"o1","amountCents":"1250","currency":"EUR","customerId":"c1"}' ${address} payments.v1.PaymentService/Charge`,
    '  or with grpcurl, which takes the same flags.',
    '',
    '  Ctrl-C (SIGINT) or SIGTERM stops it gracefully.',
    '',
  ].join('\n'),
);

function splitAddress(hostPort: string): [string, number] {
  const separator = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(separator + 1));
  if (separator < 0 || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PAYMENTS_METRICS_ADDR must be host:port, such as 127.0.0.1:9464; got "${hostPort}"`);
  }
  return [hostPort.slice(0, separator), port];
}

/** The configuration, or, when a variable is wrong, one line saying which and how to fix it, and exit code 2. */
function readConfigOrExit(): ReturnType<typeof readPaymentsConfig> {
  try {
    return readPaymentsConfig();
  } catch (error: unknown) {
    process.stderr.write(`payments: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
