import {
  type Attributes,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { CallContext, ServerMiddleware } from '@wirekit/core';
import { observeCall } from '../shared/observe-call.js';
import { traceIdsKey } from '../shared/trace-ids.js';
import { metadataGetter } from './metadata-carrier.js';
import { endRpcSpan, messageEvents, peerAttributes, rpcAttributes, spanName, TRACER_NAME } from './rpc-span.js';
import { runInContext } from './run-in-context.js';

/** Options of `tracing` and `clientTracing`. */
export interface TracingOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`), set by `startTelemetry`. */
  readonly tracerProvider?: TracerProvider;
  /**
   * Reads (server) or writes (client) the trace context and baggage in the call's metadata. Default: the global
   * propagator (`propagation`), which `startTelemetry` sets to W3C `traceparent`/`tracestate` and `baggage`.
   */
  readonly propagator?: TextMapPropagator;
}

/**
 * Server middleware that traces every call with a span of kind SERVER, for all four modes, following the
 * OpenTelemetry RPC conventions: named `package.Service/Method`, with `rpc.system`, `rpc.service`,
 * `rpc.method`, `rpc.grpc.status_code` and the peer's address; a `message` event per message of a stream; the
 * exception recorded; status ERROR when the server failed (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
 * UNAVAILABLE, DATA_LOSS). A cancelled call ends its span with CANCELLED.
 *
 * The span continues the trace the client sent in the metadata and is the active context while the handler
 * runs, so calls the handler makes with a `clientTracing` client are its children. Its ids are put under
 * `traceIdsKey` for logs. Register it first, so that calls refused by later middleware are traced too.
 *
 * @example
 * const app = createApp({ services: [GreeterHandlers], middleware: [tracing()] });
 */
export function tracing(options: TracingOptions = {}): ServerMiddleware {
  const { tracerProvider = trace.getTracerProvider(), propagator = propagation } = options;
  const tracer = tracerProvider.getTracer(TRACER_NAME);
  return async function* tracing(call, next) {
    const { method } = call;
    // The root context, not the active one: a server's parent is whatever the client sent, and nothing else.
    const parent = propagator.extract(ROOT_CONTEXT, call.context.metadata, metadataGetter);
    const span = tracer.startSpan(
      spanName(method),
      { kind: SpanKind.SERVER, attributes: { ...rpcAttributes(method), ...peerOf(call.context) } },
      parent,
    );
    const spanContext = span.spanContext();
    // Without an SDK the span is a no-op with all-zero ids (or the caller's ids): nothing to join logs to.
    if (span.isRecording() && isSpanContextValid(spanContext)) {
      call.context.set(traceIdsKey, { traceId: spanContext.traceId, spanId: spanContext.spanId });
    }
    const active = trace.setSpan(parent, span);
    const events = messageEvents(span, method);
    return yield* observeCall(call, (inner) => runInContext(active, () => next(inner)), {
      onRequest: () => events?.received(),
      onResponse: () => events?.sent(),
      onEnd: (outcome) => endRpcSpan(span, 'server', outcome),
    });
  };
}

function peerOf(context: CallContext): Attributes {
  try {
    return peerAttributes(context.peer);
  } catch {
    // grpc-js may no longer know the peer of a call that is already gone; the span is still worth having.
    return {};
  }
}
