// Wirekit with the production middleware chain of examples/payments (payments-app.ts), in its order, outermost
// first: tracing (OpenTelemetry's Node SDK; a BatchSpanProcessor feeding an exporter that drops the spans, so
// every span is still made, recorded and batched), logging (pino, one line per call, to a file in a temporary
// directory), metrics (a prom-client registry), recovery, auth (an HS256 JWT on every call) and a rate limit
// (memory store) far above any load the harness makes. Health and reflection are on, as in payments.
//
// The harness passes the JWT secret in BENCH_JWT_SECRET and sends `authorization: Bearer <token>` on each call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createApp } from '@wirekit/core';
import { auth } from '@wirekit/middleware/auth';
import { createPinoLogger, logging } from '@wirekit/middleware/logging';
import { metrics } from '@wirekit/middleware/metrics';
import { memoryStore, rateLimit } from '@wirekit/middleware/rate-limit';
import { recovery } from '@wirekit/middleware/recovery';
import { startTelemetry, tracing } from '@wirekit/middleware/tracing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { reportToHarness } from './report-usage.mjs';
import { Echo, echoHandlers } from './wirekit-echo.mjs';

const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('wirekit-full: BENCH_JWT_SECRET (the HS256 secret of the harness) is not set');

/** An OpenTelemetry SpanExporter that accepts every batch and sends it nowhere. */
class DiscardingSpanExporter {
  export(_spans, resultCallback) {
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown() {
    return Promise.resolve();
  }

  forceFlush() {
    return Promise.resolve();
  }
}

// As payments' main.ts does: traces go to the span processor given here; the SDK's metrics and logs stay off.
process.env.OTEL_METRICS_EXPORTER = 'none';
process.env.OTEL_LOGS_EXPORTER = 'none';
const telemetry = await startTelemetry({
  serviceName: 'wirekit-bench',
  spanProcessors: [new BatchSpanProcessor(new DiscardingSpanExporter())],
});

const logDirectory = mkdtempSync(join(tmpdir(), 'wirekit-bench-log-'));
const logDestination = pino.destination(join(logDirectory, 'calls.log'));
const logger = createPinoLogger({ name: 'wirekit-bench' }, logDestination);
const registry = new Registry();

const app = createApp({
  logger,
  shutdownSignals: [],
  middleware: [
    tracing(),
    logging({ logger }),
    metrics({ registry }),
    recovery({ logger }),
    auth({ jwt: { secret, algorithms: ['HS256'], audience: 'bench' }, logger }),
    rateLimit({ limit: '1000000/s', key: 'identity', store: memoryStore(), logger }),
  ],
});
app.addService(Echo, echoHandlers);

const { port } = await app.listen('127.0.0.1:0');
reportToHarness(port, async () => {
  try {
    await app.close({ graceMs: 0 });
    await telemetry.shutdown();
    logDestination.flushSync();
  } finally {
    rmSync(logDirectory, { recursive: true, force: true });
  }
});
