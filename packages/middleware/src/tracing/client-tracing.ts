import { type Context, context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { type ClientCall, type ClientMiddleware, type ClientNext, Metadata } from '@wirekit/core';
import { observeClientCall } from '../shared/observe-call.js';
import { metadataSetter } from './metadata-carrier.js';
import { endRpcSpan, messageEvents, rpcAttributes, serverAttributes, spanName, TRACER_NAME } from './rpc-span.js';
import { runInContext } from './run-in-context.js';
import type { TracingOptions } from './tracing.js';

/** Options of `clientTracing`. */
export interface ClientTracingOptions extends TracingOptions {
  /**
   * The target the client was created with (`'payments.internal:50051'`, `'dns:///payments:50051'`), reported
   * as `server.address` and `server.port`. Middleware does not see the client's channel, so without it the
   * spans carry no server attributes.
   */
  readonly target?: string;
}

/**
 * Client middleware that traces every call with a span of kind CLIENT, for all four modes: named
 * `package.Service/Method`, with `rpc.system`, `rpc.service`, `rpc.method`, `rpc.grpc.status_code` and
 * `server.address`/`server.port` (given `target`); a `message` event per message of a stream; the exception
 * recorded; status ERROR for every status but OK (including a caller that stopped reading a stream: CANCELLED).
 *
 * The span is a child of the context active when the client method is called (inside a handler traced by
 * `tracing`, the handler's span), and the trace context and baggage are written into the call's metadata for
 * the server. Placed after a retry middleware, each attempt gets its own span.
 *
 * @example
 * const payments = createClient(PaymentService, target, { middleware: [clientTracing({ target })] });
 */
export function clientTracing(options: ClientTracingOptions = {}): ClientMiddleware {
  const { tracerProvider = trace.getTracerProvider(), propagator = propagation, target } = options;
  const tracer = tracerProvider.getTracer(TRACER_NAME);
  const server = serverAttributes(target);

  async function* traced<Req, Res>(
    call: ClientCall<Req>,
    next: ClientNext<Req, Res>,
    parent: Context,
  ): AsyncGenerator<Res, void, undefined> {
    // Started here, when the caller first reads, so that a stream nobody reads leaves no span open forever.
    const { method } = call;
    const span = tracer.startSpan(spanName(method), { kind: SpanKind.CLIENT, attributes: { ...rpcAttributes(method), ...server } }, parent);
    const active = trace.setSpan(parent, span);
    const metadata = new Metadata(call.options.metadata);
    propagator.inject(active, metadata, metadataSetter);
    const events = messageEvents(span, method);
    return yield* observeClientCall(
      { ...call, options: { ...call.options, metadata } },
      (inner) => runInContext(active, () => next(inner)),
      {
        onRequest: () => events?.sent(),
        onResponse: () => events?.received(),
        onEnd: (outcome) => endRpcSpan(span, 'client', outcome),
      },
    );
  }

  // A plain function rather than a generator, so that the parent is the context active when the application
  // calls the client method; a generator's body runs only when its responses are first read.
  return function clientTracing(call, next) {
    return traced(call, next, context.active());
  };
}
