import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
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

/** What an OTLP/HTTP receiver got: the path and the JSON body of each POST. */
interface Received {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: OtlpTraces;
}

/** The parts of an OTLP JSON trace export (`ExportTraceServiceRequest`) the test reads. */
interface OtlpTraces {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly { readonly key: string; readonly value: { readonly stringValue?: string } }[] };
    readonly scopeSpans?: readonly { readonly spans?: readonly { readonly name: string; readonly kind: number }[] }[];
  }[];
}

/** A local OTLP/HTTP receiver on 127.0.0.1:0, answering every export with success. */
async function otlpReceiver() {
  const posts: Received[] = [];
  const waiting: ((post: Received) => void)[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((bytes) => {
      const post = {
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: JSON.parse(bytes.toString('utf8')) as OtlpTraces,
      };
      posts.push(post);
      for (const resolve of waiting.splice(0)) resolve(post);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** The first POST, received already or later. */
    first: (): Promise<Received> => (posts[0] ? Promise.resolve(posts[0]) : new Promise((resolve) => waiting.push(resolve))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
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

  it('exports spans by OTLP/HTTP as the OTEL_* variables say, to a real receiver, flushed by app.close', async () => {
    const receiver = await otlpReceiver();
    try {
      vi.stubEnv('OTEL_TRACES_EXPORTER', 'otlp');
      vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
      // The option wins over OTEL_SERVICE_NAME; the other resource attributes still come from the environment.
      vi.stubEnv('OTEL_SERVICE_NAME', 'name-from-env');
      vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'deployment.environment.name=otlp-test');
      const app = createApp({
        providers: [{ provide: Telemetry, useFactory: () => startTelemetry({ serviceName: 'exported' }) }],
        middleware: [tracing()],
        logger: createSilentLogger(),
        shutdownSignals: [],
      });
      app.addService(EchoService, { echo: (request) => ({ message: request.message }) }, { allowUnimplemented: true });
      await app.get(Telemetry);
      const { address } = await app.listen('127.0.0.1:0');
      const client = createClient(EchoService, address);
      try {
        expect((await client.echo({ message: 'export me' })).message).toBe('export me');
      } finally {
        closeClient(client);
        await app.close({ graceMs: 0 });
      }

      const post = await receiver.first();
      // OTEL_EXPORTER_OTLP_ENDPOINT is the base: the SDK adds the signal's path.
      expect(post.path).toBe('/v1/traces');
      expect(post.contentType).toMatch(/^application\/json/);
      const [resourceSpans] = post.body.resourceSpans ?? [];
      const attributes = Object.fromEntries((resourceSpans?.resource?.attributes ?? []).map(({ key, value }) => [key, value.stringValue]));
      expect(attributes).toMatchObject({ 'service.name': 'exported', 'deployment.environment.name': 'otlp-test' });
      const spans = (resourceSpans?.scopeSpans ?? []).flatMap((scope) => scope.spans ?? []);
      // The server span: kind SERVER is 2 in OTLP's enum.
      expect(spans.map(({ name, kind }) => ({ name, kind }))).toEqual([{ name: 'wirekit.test.v1.EchoService/Echo', kind: 2 }]);
    } finally {
      await receiver.close();
    }
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
