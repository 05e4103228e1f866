// What tracing carries across the joins: tracestate through two hops, message events on a client stream, and
// the server span's ids in the logging middleware's line.
import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ServerMiddleware, ServiceImplementation } from '@wirekit/core';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logging } from '../logging/logging.js';
import { requestLoggerKey } from '../logging/request-logger.js';
import { type EchoService, serveEcho } from '../test-support/echo-service.js';
import { callEnds } from '../test-support/mode-matrix.js';
import { clientTracing } from './client-tracing.js';
import { tracing } from './tracing.js';

const SERVICE = 'wirekit.test.v1.EchoService';
const propagator = new W3CTraceContextPropagator();

function messageIds(span: ReadableSpan, type: 'SENT' | 'RECEIVED'): unknown[] {
  return span.events
    .filter((event) => event.name === 'message' && event.attributes?.['message.type'] === type)
    .map((event) => event.attributes?.['message.id']);
}

describe('tracing across its joins', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const cleanups: (() => Promise<void>)[] = [];
  const spansOf = (kind: SpanKind, method: string) =>
    exporter.getFinishedSpans().filter((span) => span.kind === kind && span.name === `${SERVICE}/${method}`);

  /** An app with `tracing` (`outside` and `inside` it), and a client with `clientTracing`. */
  async function serve(
    implementation: Partial<ServiceImplementation<typeof EchoService>>,
    { outside = [], inside = [] }: { readonly outside?: ServerMiddleware[]; readonly inside?: ServerMiddleware[] } = {},
  ) {
    const served = await serveEcho({
      middleware: [...outside, tracing({ tracerProvider: provider, propagator }), ...inside],
      clientMiddleware: [clientTracing({ tracerProvider: provider, propagator })],
      implementation,
    });
    cleanups.unshift(() => served.close());
    return served;
  }

  beforeAll(() => {
    // The handler's span reaches its outgoing calls through the active context, which needs a context manager.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    exporter.reset();
  });

  it('carries the caller’s tracestate through A to B, in the metadata and in every span', async () => {
    const seenByB: (string | undefined)[] = [];
    const b = await serve({
      echo: (request, ctx) => {
        seenByB.push(ctx.metadata.get('tracestate') as string | undefined);
        return { message: request.message };
      },
    });
    const a = await serve({ echo: async (request) => ({ message: `A then ${(await b.client.echo(request)).message}` }) });
    // A caller inside a trace whose vendor entries must survive the hops (as a load balancer's would).
    const traceState = new TraceState('vendor=abc,other=x1');
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      traceState,
      isRemote: true,
    });
    expect((await context.with(parent, () => a.client.echo({ message: 'B' }))).message).toBe('A then B');

    expect(seenByB).toEqual(['vendor=abc,other=x1']);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => SpanKind[span.kind])).toEqual(['SERVER', 'CLIENT', 'SERVER', 'CLIENT']);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(span.spanContext().traceState?.serialize()).toBe('vendor=abc,other=x1');
    }
  });

  it('adds message events to both spans of a client stream: each request, then the one response', async () => {
    const { client } = await serve({
      collect: async (requests) => {
        let count = 0;
        for await (const _request of requests) count++;
        return { count };
      },
    });
    expect((await client.collect([{ message: '1' }, { message: '2' }, { message: '3' }])).count).toBe(3);
    const [serverSpan] = spansOf(SpanKind.SERVER, 'Collect');
    const [clientSpan] = spansOf(SpanKind.CLIENT, 'Collect');
    if (serverSpan === undefined || clientSpan === undefined) throw new Error('both Collect spans should have ended');
    expect({ received: messageIds(serverSpan, 'RECEIVED'), sent: messageIds(serverSpan, 'SENT') }).toEqual({
      received: [1, 2, 3],
      sent: [1],
    });
    expect({ sent: messageIds(clientSpan, 'SENT'), received: messageIds(clientSpan, 'RECEIVED') }).toEqual({
      sent: [1, 2, 3],
      received: [1],
    });
  });

  it('joins logs to traces: the logging middleware’s lines carry the server span’s traceId and spanId', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (text: string) => void lines.push(JSON.parse(text) as Record<string, unknown>) });
    const ends = callEnds();
    const { client } = await serve(
      {
        echo: (request, ctx) => {
          ctx.get(requestLoggerKey)?.info('handling');
          return { message: request.message };
        },
      },
      // `ends` outermost: once it saw the call end, every middleware inside it has written its line.
      { outside: [ends.middleware], inside: [logging({ logger })] },
    );
    await client.echo({ message: 'joined' });
    await ends.next();
    const [serverSpan] = spansOf(SpanKind.SERVER, 'Echo');
    const [clientSpan] = spansOf(SpanKind.CLIENT, 'Echo');
    const ids = { traceId: serverSpan?.spanContext().traceId, spanId: serverSpan?.spanContext().spanId };
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    // The server span's ids, not the client's: the log line belongs to the server's part of the trace.
    expect(ids.spanId).not.toBe(clientSpan?.spanContext().spanId);
    expect(lines.find((line) => line.msg === 'call ended')).toMatchObject(ids);
    expect(lines.find((line) => line.msg === 'handling')).toMatchObject(ids);
  });
});
