import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  type ClientMiddleware,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  RpcError,
  type ServerMiddleware,
  type ServiceImplementation,
  Status,
} from '@wirekit/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { traceIdsKey } from '../shared/trace-ids.js';
import { collect, EchoService } from '../test-support/echo-service.js';
import { clientTracing } from './client-tracing.js';
import { tracing } from './tracing.js';

type EchoClient = ReturnType<typeof createClient<typeof EchoService>>;

const SERVICE = 'wirekit.test.v1.EchoService';
const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });

const handlers: ServiceImplementation<typeof EchoService> = {
  echo: (request) => {
    if (request.message === 'bug') throw new Error('a bug in the handler');
    if (request.failWithCode !== 0) throw new RpcError(request.failWithCode as Status, 'failed on purpose');
    return { message: request.message };
  },
  async *expand(request) {
    for (let index = 0; index < request.count; index++) yield { message: `${request.message}${index}` };
  },
  collect: async (requests) => {
    let count = 0;
    for await (const _request of requests) count++;
    return { count };
  },
  async *chat(requests) {
    for await (const request of requests) yield { message: request.message };
  },
};

/** The spans a test's own provider ended, and a way to wait for one without sleeping. */
class SpanRecorder {
  readonly exporter = new InMemorySpanExporter();
  readonly #waiters: { readonly kind: SpanKind; readonly name: string; readonly resolve: (span: ReadableSpan) => void }[] = [];
  readonly provider = new BasicTracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor(this.exporter),
      {
        onStart: () => {},
        onEnd: (span) => {
          for (const waiter of this.#waiters.filter((w) => w.kind === span.kind && w.name === span.name)) waiter.resolve(span);
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });

  get spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  /** The one ended span of this kind and name; fails when there are several. */
  one(kind: SpanKind, method: string): ReadableSpan {
    const found = this.spans.filter((span) => span.kind === kind && span.name === `${SERVICE}/${method}`);
    expect(found, `${SpanKind[kind]} spans of ${method}`).toHaveLength(1);
    return found[0] as ReadableSpan;
  }

  /** Resolves when a span of this kind and name has ended (at once if one has). */
  ended(kind: SpanKind, method: string): Promise<ReadableSpan> {
    const name = `${SERVICE}/${method}`;
    const done = this.spans.find((span) => span.kind === kind && span.name === name);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.#waiters.push({ kind, name, resolve }));
  }
}

function messageIds(span: ReadableSpan, type: 'SENT' | 'RECEIVED'): unknown[] {
  return span.events
    .filter((event) => event.name === 'message' && event.attributes?.['message.type'] === type)
    .map((e) => e.attributes?.['message.id']);
}

function isChildOf(child: ReadableSpan, parent: ReadableSpan): boolean {
  return child.spanContext().traceId === parent.spanContext().traceId && child.parentSpanContext?.spanId === parent.spanContext().spanId;
}

describe('tracing and clientTracing', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let recorder: SpanRecorder;

  /** Serves the handlers with `tracing` on 127.0.0.1:0; returns a client with `clientTracing` (or other middleware). */
  async function serve(
    implementation: Partial<ServiceImplementation<typeof EchoService>> = handlers,
    clientMiddleware?: readonly ClientMiddleware[],
    serverMiddleware: readonly ServerMiddleware[] = [tracing({ tracerProvider: recorder.provider, propagator })],
  ): Promise<{ client: EchoClient; address: string; port: number }> {
    const app = createApp({ middleware: serverMiddleware, logger: createSilentLogger(), shutdownSignals: [] });
    app.addService(EchoService, { ...handlers, ...implementation });
    const { address, port } = await app.listen('127.0.0.1:0');
    cleanups.push(() => app.close({ graceMs: 0 }));
    return { client: tracedClient(address, clientMiddleware), address, port };
  }

  function tracedClient(address: string, middleware?: readonly ClientMiddleware[]): EchoClient {
    const client = createClient(EchoService, address, {
      middleware: middleware ?? [clientTracing({ tracerProvider: recorder.provider, propagator, target: address })],
    });
    cleanups.unshift(() => closeClient(client));
    return client;
  }

  beforeAll(() => {
    // The handler's span reaches its outgoing calls through the active context, which needs a context manager.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
  beforeEach(() => {
    recorder = new SpanRecorder();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await recorder.provider.shutdown();
  });

  it('gives each call of all four modes one server and one client span, with the conventions’ names and attributes', async () => {
    const { client, port } = await serve();
    expect((await client.echo({ message: 'a' })).message).toBe('a');
    expect(await collect(client.expand({ message: 'b', count: 2 }))).toHaveLength(2);
    expect((await client.collect([{ message: 'c' }, { message: 'd' }])).count).toBe(2);
    expect(await collect(client.chat([{ message: 'e' }]))).toHaveLength(1);

    expect(recorder.spans).toHaveLength(8);
    for (const method of ['Echo', 'Expand', 'Collect', 'Chat']) {
      // Each span ended before its call returned: the server's before it sent the status, the client's on receiving it.
      const server = recorder.one(SpanKind.SERVER, method);
      const client = recorder.one(SpanKind.CLIENT, method);
      for (const span of [server, client]) {
        expect(span.name).toBe(`${SERVICE}/${method}`);
        expect(span.attributes).toMatchObject({
          'rpc.system': 'grpc',
          'rpc.service': SERVICE,
          'rpc.method': method,
          'rpc.grpc.status_code': 0,
        });
        expect(span.status.code).toBe(SpanStatusCode.UNSET);
        expect(span.instrumentationScope.name).toBe('@wirekit/middleware');
        expect(span.events.filter((event) => event.name === 'exception')).toEqual([]);
      }
      expect(server.attributes['network.peer.address']).toBe('127.0.0.1');
      expect(server.attributes['network.peer.port']).toEqual(expect.any(Number));
      expect(client.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': port });
      expect(client.parentSpanContext).toBeUndefined();
      expect(isChildOf(server, client)).toBe(true);
    }
  });

  it('puts the server span’s ids under traceIdsKey; without a traced client the server span starts a trace', async () => {
    const { client } = await serve(
      {
        echo: (_request, ctx) => {
          const ids = ctx.get(traceIdsKey);
          return { message: `${ids?.traceId}/${ids?.spanId}` };
        },
      },
      [],
    );
    const { message } = await client.echo({});
    const server = recorder.one(SpanKind.SERVER, 'Echo');
    expect(message).toBe(`${server.spanContext().traceId}/${server.spanContext().spanId}`);
    expect(server.parentSpanContext).toBeUndefined();
    expect(recorder.spans).toHaveLength(1);
  });

  it('records failures: NOT_FOUND is an error for the client only; INTERNAL for both, with the handler’s own exception', async () => {
    const { client } = await serve();
    await expect(client.echo({ failWithCode: Status.NOT_FOUND })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    const notFoundServer = recorder.one(SpanKind.SERVER, 'Echo');
    const notFoundClient = recorder.one(SpanKind.CLIENT, 'Echo');
    expect(notFoundServer.attributes['rpc.grpc.status_code']).toBe(Status.NOT_FOUND);
    expect(notFoundServer.status).toEqual({ code: SpanStatusCode.UNSET });
    expect(notFoundClient.attributes['rpc.grpc.status_code']).toBe(Status.NOT_FOUND);
    expect(notFoundClient.status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed on purpose' });
    for (const span of [notFoundServer, notFoundClient]) {
      expect(span.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
        'exception.type': 'RpcError',
        'exception.message': expect.stringContaining('failed on purpose'),
      });
    }

    recorder.exporter.reset();
    await expect(client.echo({ message: 'bug' })).rejects.toMatchObject({ code: Status.INTERNAL });
    const internalServer = recorder.one(SpanKind.SERVER, 'Echo');
    const internalClient = recorder.one(SpanKind.CLIENT, 'Echo');
    expect(internalServer.attributes['rpc.grpc.status_code']).toBe(Status.INTERNAL);
    expect(internalServer.status.code).toBe(SpanStatusCode.ERROR);
    expect(internalClient.attributes['rpc.grpc.status_code']).toBe(Status.INTERNAL);
    expect(internalClient.status.code).toBe(SpanStatusCode.ERROR);
    // The client only learns "Internal server error"; the server's span keeps the cause, with its stack.
    expect(internalServer.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'Error',
      'exception.message': 'a bug in the handler',
      'exception.stacktrace': expect.stringContaining('a bug in the handler'),
    });
  });

  it('treats the server’s own failures as errors: UNAVAILABLE is ERROR on both ends, ALREADY_EXISTS only on the client', async () => {
    const { client } = await serve();
    await expect(client.echo({ failWithCode: Status.UNAVAILABLE })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    await expect(client.echo({ failWithCode: Status.ALREADY_EXISTS })).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    const outcomes = recorder.spans.map(
      (span) => `${SpanKind[span.kind]} ${span.attributes['rpc.grpc.status_code']} ${SpanStatusCode[span.status.code]}`,
    );
    expect(outcomes).toEqual(['SERVER 14 ERROR', 'CLIENT 14 ERROR', 'SERVER 6 UNSET', 'CLIENT 6 ERROR']);
  });

  it('ends the spans of a server stream the client stopped reading with CANCELLED', async () => {
    const { client } = await serve({
      async *expand(request, ctx) {
        yield { message: `${request.message} first` };
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        yield { message: 'never delivered: the server notices the cancellation here' };
      },
    });
    for await (const reply of client.expand({ message: 'stop' })) {
      expect(reply.message).toBe('stop first');
      break;
    }
    const clientSpan = recorder.one(SpanKind.CLIENT, 'Expand');
    expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(Status.CANCELLED);
    expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(messageIds(clientSpan, 'RECEIVED')).toEqual([1]);

    const serverSpan = await recorder.ended(SpanKind.SERVER, 'Expand');
    expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(Status.CANCELLED);
    expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
    // The handler's second message counts as sent too: it left the middleware before the server saw the abort.
    expect(messageIds(serverSpan, 'SENT')[0]).toBe(1);
    expect(serverSpan.events.filter((event) => event.name === 'exception')).toEqual([]);
  });

  it('ends both spans of a call cancelled by its AbortSignal with CANCELLED, recording the client’s exception', async () => {
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const { client } = await serve({
      echo: (_request, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
          started();
        }),
    });
    const controller = new AbortController();
    const reply = client.echo({}, { signal: controller.signal });
    await handlerStarted;
    controller.abort();
    await expect(reply).rejects.toMatchObject({ code: Status.CANCELLED });
    const clientSpan = recorder.one(SpanKind.CLIENT, 'Echo');
    expect(clientSpan.attributes['rpc.grpc.status_code']).toBe(Status.CANCELLED);
    expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(clientSpan.events.map((event) => event.name)).toEqual(['exception']);
    const serverSpan = await recorder.ended(SpanKind.SERVER, 'Echo');
    expect(serverSpan.attributes['rpc.grpc.status_code']).toBe(Status.CANCELLED);
    expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('adds numbered message events both ways on a bidi stream, and none on a unary call', async () => {
    const { client } = await serve();
    const replies = await collect(client.chat([{ message: '1' }, { message: '2' }, { message: '3' }]));
    expect(replies.map((reply) => reply.message)).toEqual(['1', '2', '3']);
    await client.echo({ message: 'unary' });

    const serverSpan = recorder.one(SpanKind.SERVER, 'Chat');
    const clientSpan = recorder.one(SpanKind.CLIENT, 'Chat');
    expect(messageIds(serverSpan, 'RECEIVED')).toEqual([1, 2, 3]);
    expect(messageIds(serverSpan, 'SENT')).toEqual([1, 2, 3]);
    expect(messageIds(clientSpan, 'SENT')).toEqual([1, 2, 3]);
    expect(messageIds(clientSpan, 'RECEIVED')).toEqual([1, 2, 3]);
    // The server receives a request before answering it.
    expect(serverSpan.events.map((event) => `${event.attributes?.['message.type']} ${event.attributes?.['message.id']}`)).toEqual([
      'RECEIVED 1',
      'SENT 1',
      'RECEIVED 2',
      'SENT 2',
      'RECEIVED 3',
      'SENT 3',
    ]);
    expect(recorder.one(SpanKind.SERVER, 'Echo').events).toEqual([]);
    expect(recorder.one(SpanKind.CLIENT, 'Echo').events).toEqual([]);
  });

  describe('propagation', () => {
    it('carries one trace across two hops: client → A, whose handler calls B with a traced client → B', async () => {
      const b = await serve();
      const a = await serve({
        echo: async (request) => ({ message: `A then ${(await b.client.echo({ message: request.message })).message}` }),
      });
      expect((await a.client.echo({ message: 'B' })).message).toBe('A then B');

      const spans = recorder.spans.filter((span) => span.name === `${SERVICE}/Echo`);
      // Each span ends before its caller's does: B's server span first, the outermost client span last.
      const [bServer, aClient, aServer, outerClient] = spans as [ReadableSpan, ReadableSpan, ReadableSpan, ReadableSpan];
      expect(spans.map((span) => SpanKind[span.kind])).toEqual(['SERVER', 'CLIENT', 'SERVER', 'CLIENT']);
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
      expect(outerClient.parentSpanContext).toBeUndefined();
      expect(isChildOf(aServer, outerClient)).toBe(true);
      expect(isChildOf(aClient, aServer)).toBe(true);
      expect(isChildOf(bServer, aClient)).toBe(true);
      expect(aServer.parentSpanContext?.isRemote).toBe(true);
      expect(aClient.parentSpanContext?.isRemote).toBeFalsy();
    });

    it('keeps a streaming handler’s calls in its trace after it resumes from a yield', async () => {
      const b = await serve();
      const a = await serve({
        async *expand(request) {
          yield await b.client.echo({ message: `${request.message} before` });
          yield await b.client.echo({ message: `${request.message} after` });
        },
      });
      const replies = await collect(a.client.expand({ message: 'step' }));
      expect(replies.map((reply) => reply.message)).toEqual(['step before', 'step after']);
      const aServer = recorder.one(SpanKind.SERVER, 'Expand');
      const downstream = recorder.spans.filter((span) => span.kind === SpanKind.CLIENT && span.name === `${SERVICE}/Echo`);
      expect(downstream).toHaveLength(2);
      for (const span of downstream) expect(isChildOf(span, aServer)).toBe(true);
    });

    it('carries baggage from the caller through A to B', async () => {
      const tenant = (): string => propagation.getBaggage(context.active())?.getEntry('tenant')?.value ?? 'none';
      const b = await serve({ echo: () => ({ message: `B sees ${tenant()}` }) });
      const a = await serve({ echo: async () => ({ message: `A sees ${tenant()}, ${(await b.client.echo({})).message}` }) });
      const baggage = propagation.createBaggage({ tenant: { value: 'acme' } });
      const reply = await context.with(propagation.setBaggage(context.active(), baggage), () => a.client.echo({}));
      expect(reply.message).toBe('A sees acme, B sees acme');
      expect((await a.client.echo({})).message).toBe('A sees none, B sees none');
    });

    it('uses the global tracer provider and propagator by default', async () => {
      trace.setGlobalTracerProvider(recorder.provider);
      propagation.setGlobalPropagator(propagator);
      try {
        const { client } = await serve(handlers, [clientTracing()], [tracing()]);
        await client.echo({ message: 'global' });
        expect(isChildOf(recorder.one(SpanKind.SERVER, 'Echo'), recorder.one(SpanKind.CLIENT, 'Echo'))).toBe(true);
      } finally {
        trace.disable();
        propagation.disable();
      }
    });

    it('keeps the caller’s own metadata and replaces a stale traceparent', async () => {
      const { client } = await serve({
        echo: (_request, ctx) => ({ message: `${ctx.metadata.get('x-request-id')} ${ctx.metadata.getAll('traceparent').length}` }),
      });
      const stale = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      expect((await client.echo({}, { metadata: { 'x-request-id': 'r-1', traceparent: stale } })).message).toBe('r-1 1');
      expect(recorder.one(SpanKind.CLIENT, 'Echo').spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
      expect(isChildOf(recorder.one(SpanKind.SERVER, 'Echo'), recorder.one(SpanKind.CLIENT, 'Echo'))).toBe(true);
    });
  });
});
