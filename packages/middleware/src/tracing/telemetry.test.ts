import { fileURLToPath } from 'node:url';
import { propagation, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { closeClient, createApp, createClient, createSilentLogger, defineService, ProtoSet, type Unary } from '@wirekit/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EchoRequest, EchoResponse } from '../../../core/src/test-support/echo.generated.js';
import { clientTracing } from './client-tracing.js';
import { startTelemetry, Telemetry } from './telemetry.js';
import { tracing } from './tracing.js';

const EchoService = defineService<{ Echo: Unary<EchoRequest, EchoResponse> }>(
  ProtoSet.load('wirekit/test/v1/echo.proto', {
    includeDirs: [fileURLToPath(new URL('../../../core/src/test-support/protos', import.meta.url))],
  }),
  'wirekit.test.v1.EchoService',
);

/** Keeps what it exported after shutdown, unlike InMemorySpanExporter, which forgets at shutdown. */
function keepingExporter(): SpanExporter & { readonly exported: ReadableSpan[] } {
  const exported: ReadableSpan[] = [];
  return {
    exported,
    export: (spans, done) => {
      exported.push(...spans);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
}

describe('startTelemetry', () => {
  beforeEach(() => {
    // Nothing in a test may reach for an OTLP endpoint: metrics and logs default to OTLP too.
    vi.stubEnv('OTEL_METRICS_EXPORTER', 'none');
    vi.stubEnv('OTEL_LOGS_EXPORTER', 'none');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts and shuts down cleanly with OTEL_TRACES_EXPORTER=none, still propagating context', async () => {
    vi.stubEnv('OTEL_TRACES_EXPORTER', 'none');
    const telemetry = await startTelemetry({ serviceName: 'quiet' });
    expect(telemetry).toBeInstanceOf(Telemetry);
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage']));

    const shutdown = telemetry.shutdown();
    expect(telemetry.onShutdown()).toBe(shutdown);
    await expect(shutdown).resolves.toBeUndefined();
    expect(propagation.fields()).toEqual([]);
  });

  it('is an app provider: started by app.get, flushed by app.close after the last call', async () => {
    const exporter = keepingExporter();
    const app = createApp({
      providers: [
        {
          provide: Telemetry,
          useFactory: () =>
            // A long batching delay, so that only the flush at close exports the spans.
            startTelemetry({
              serviceName: 'flushed',
              spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 600_000 })],
            }),
        },
      ],
      middleware: [tracing()],
      logger: createSilentLogger(),
      shutdownSignals: [],
    });
    app.addService(EchoService, { echo: (request) => ({ message: request.message }) }, { allowUnimplemented: true });
    await app.get(Telemetry);
    const { address } = await app.listen('127.0.0.1:0');
    const client = createClient(EchoService, address, { middleware: [clientTracing({ target: address })] });
    try {
      expect((await client.echo({ message: 'flush me' })).message).toBe('flush me');
      expect(exporter.exported).toEqual([]);
    } finally {
      closeClient(client);
      await app.close({ graceMs: 0 });
    }
    expect(exporter.exported.map((span) => span.name)).toEqual(['wirekit.test.v1.EchoService/Echo', 'wirekit.test.v1.EchoService/Echo']);
    expect(exporter.exported.map((span) => span.resource.attributes['service.name'])).toEqual(['flushed', 'flushed']);
    // Stopped and unregistered: a later startTelemetry in this process would start afresh.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });
});
