// Wirekit with the production middleware chain of examples/payments (payments-app.ts), in its order, outermost
// first: tracing (OpenTelemetry's Node SDK; a BatchSpanProcessor feeding an exporter that drops the spans, so
// every span is still made, recorded and batched), logging (pino, one line per call, to a file in a temporary
// directory), metrics (a prom-client registry), recovery, auth (an HS256 JWT on every call) and a rate limit
// (memory store) far above any load the harness makes. Health and reflection are on, as in payments.
//
// The harness passes the JWT secret in BENCH_JWT_SECRET and sends `authorization: Bearer <token>` on each call.
import { createApp } from '@wirekit/core';
import { reportToHarness } from './report-usage.mjs';
import { chainMiddleware, startChainServices } from './wirekit-chain.mjs';
import { Echo, echoHandlers } from './wirekit-echo.mjs';

const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('wirekit-full: BENCH_JWT_SECRET (the HS256 secret of the harness) is not set');

const services = await startChainServices();
const app = createApp({ logger: services.logger, shutdownSignals: [], middleware: chainMiddleware({ logger: services.logger, secret }) });
app.addService(Echo, echoHandlers);

const { port } = await app.listen('127.0.0.1:0');
reportToHarness(port, async () => {
  try {
    await app.close({ graceMs: 0 });
  } finally {
    await services.close();
  }
});
