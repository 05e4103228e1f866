// The production middleware chain of examples/payments (payments-app.ts), as the benchmarks build it: written once
// for the full-chain server (wirekit-full.mjs) and the per-middleware breakdown (bench/chain.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { auth } from '@wirekit/middleware/auth';
import { createPinoLogger, logging } from '@wirekit/middleware/logging';
import { metrics } from '@wirekit/middleware/metrics';
import { memoryStore, rateLimit } from '@wirekit/middleware/rate-limit';
import { recovery } from '@wirekit/middleware/recovery';
import { startTelemetry, tracing } from '@wirekit/middleware/tracing';
import pino from 'pino';
import { Registry } from 'prom-client';

/** The chain's middleware, outermost first, by the names the breakdown uses. */
export const CHAIN_NAMES = ['tracing', 'logging', 'metrics', 'recovery', 'auth', 'rateLimit'];

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

/**
 * What the chain needs from the process: OpenTelemetry's Node SDK with a BatchSpanProcessor feeding the discarding
 * exporter (every span is still made, recorded and batched), and a pino logger writing one line per call to a file
 * in a temporary directory (synchronously, a write per line). `close` stops both and
 * removes the directory.
 */
export async function startChainServices({ withTracing = true } = {}) {
  // As payments' main.ts does: traces go to the span processor given here; the SDK's metrics and logs stay off.
  process.env.OTEL_METRICS_EXPORTER = 'none';
  process.env.OTEL_LOGS_EXPORTER = 'none';
  const telemetry = withTracing
    ? await startTelemetry({ serviceName: 'wirekit-bench', spanProcessors: [new BatchSpanProcessor(new DiscardingSpanExporter())] })
    : undefined;
  const logDirectory = mkdtempSync(join(tmpdir(), 'wirekit-bench-log-'));
  // Synchronous, as pino's default stdout destination is: pino.destination(file)'s asynchronous mode costs ~8 µs
  // more per line with 64 calls in flight (sonic-boom 4.2 measures its whole pending buffer on every write while a
  // write is in flight), see docs/benchmarks.md.
  const logDestination = pino.destination({ dest: join(logDirectory, 'calls.log'), sync: true });
  const logger = createPinoLogger({ name: 'wirekit-bench' }, logDestination);
  return {
    logger,
    async close() {
      try {
        await telemetry?.shutdown();
        logDestination.flushSync();
      } finally {
        rmSync(logDirectory, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The chain's middleware named in `names` (default: all of it), in the chain's order: tracing, logging to
 * `logger`, metrics on a fresh prom-client registry, recovery, auth verifying HS256 JWTs made with `secret`
 * (audience `bench`), and a rate limit of 1,000,000 calls per second per identity on every rpc.
 */
export function chainMiddleware({ logger, secret, names = CHAIN_NAMES }) {
  const make = {
    tracing: () => tracing(),
    logging: () => logging({ logger }),
    metrics: () => metrics({ registry: new Registry() }),
    recovery: () => recovery({ logger }),
    auth: () => auth({ jwt: { secret, algorithms: ['HS256'], audience: 'bench' }, logger }),
    rateLimit: () => rateLimit({ limit: '1000000/s', key: 'identity', store: memoryStore(), logger }),
  };
  const unknown = names.filter((name) => !CHAIN_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`no middleware named ${unknown.join(', ')} in the chain (${CHAIN_NAMES.join(', ')})`);
  return CHAIN_NAMES.filter((name) => names.includes(name)).map((name) => make[name]());
}
