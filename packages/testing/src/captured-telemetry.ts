import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ServerMiddleware } from '@wirekit/core';
import type { Registry } from 'prom-client';

/** Spans and metrics of the calls a test made, recorded by the real tracing and metrics middleware. */
export interface CapturedTelemetry {
  /** The middleware that records them, outermost first. */
  readonly middleware: readonly ServerMiddleware[];
  /** The server spans finished so far, oldest first; after the test app closes, those finished by then. */
  spans(): readonly ReadableSpan[];
  /** The registry the metrics middleware counts in (`grpc_server_*`). */
  readonly registry: Registry;
  shutdown(): Promise<void>;
}

/**
 * Creates an in-memory span exporter and a metrics registry of the test's own, with `tracing()` and
 * `metrics()` from `@wirekit/middleware` wired to them. Loaded on demand: the OpenTelemetry SDK and prom-client
 * are optional peers, needed only by tests that ask for telemetry.
 */
export async function captureTelemetry(): Promise<CapturedTelemetry> {
  const [sdk, tracingEntry, metricsEntry, promClient] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@wirekit/middleware/tracing'),
    import('@wirekit/middleware/metrics'),
    import('prom-client'),
  ]).catch((error: unknown) => {
    throw new Error(
      'createTestApp({ captureTelemetry: true }) needs @wirekit/middleware, @opentelemetry/sdk-trace-base and prom-client installed',
      { cause: error },
    );
  });
  const exporter = new sdk.InMemorySpanExporter();
  const tracerProvider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] });
  const registry = new promClient.Registry();
  // The exporter forgets its spans when it shuts down; these are the ones it held then, for reading after close.
  let kept: readonly ReadableSpan[] | undefined;
  return {
    middleware: [tracingEntry.tracing({ tracerProvider }), metricsEntry.metrics({ registry })],
    spans: () => kept ?? exporter.getFinishedSpans(),
    registry,
    // The span processor's shutdown does not wait for exports still in flight (the in-memory exporter answers
    // on a timer), so a flush first: nothing of the test's telemetry is left running after it.
    shutdown: async () => {
      await tracerProvider.forceFlush();
      kept = [...exporter.getFinishedSpans()];
      await tracerProvider.shutdown();
    },
  };
}
