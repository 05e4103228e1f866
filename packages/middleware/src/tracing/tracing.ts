import {
  type Attributes,
  isSpanContextValid,
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { CallContext, MethodDescriptor, ServerMiddleware } from '@wirekit/core';
import { observingMiddleware } from '../shared/observe-call.js';
import { traceIdsKey } from '../shared/trace-ids.js';
import { metadataGetter } from './metadata-carrier.js';
import { endRpcSpan, messageEvents, peerAttributes, rpcAttributes, spanName, TRACER_NAME } from './rpc-span.js';

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
  // Worked out once per method (the app builds one descriptor per bound rpc), not once per call.
  const names = new WeakMap<MethodDescriptor, { readonly name: string; readonly attributes: Attributes }>();
  const peers = lastPeerAttributes();
  // The span starts when the call starts running, not when the chain creates the call's generator.
  return observingMiddleware('tracing', (call) => {
    const { method } = call;
    let described = names.get(method);
    if (described === undefined) {
      described = { name: spanName(method), attributes: rpcAttributes(method) };
      names.set(method, described);
    }
    const { name, attributes } = described;
    // The root context, not the active one: a server's parent is whatever the client sent, and nothing else.
    const parent = propagator.extract(ROOT_CONTEXT, call.context.metadata, metadataGetter);
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: { ...attributes, ...peers(call.context) } }, parent);
    const spanContext = span.spanContext();
    // Without an SDK the span is a no-op with all-zero ids (or the caller's ids): nothing to join logs to.
    if (span.isRecording() && isSpanContextValid(spanContext)) {
      call.context.set(traceIdsKey, { traceId: spanContext.traceId, spanId: spanContext.spanId });
    }
    const active = trace.setSpan(parent, span);
    const events = messageEvents(span, method);
    return {
      // Every step of the rest of the chain runs with the span active, so the handler's outgoing calls (and
      // the promises they create) are its children.
      within: (step) => otelContext.with(active, step),
      onRequest: events && (() => events.received()),
      onResponse: events && (() => events.sent()),
      onEnd: (outcome) => endRpcSpan(span, 'server', outcome),
    };
  });
}

/**
 * The peer attributes of a call, remembered for the last peer seen: a connection carries many calls, and the
 * peer string (`127.0.0.1:53124`) needs two regular expressions to split.
 */
function lastPeerAttributes(): (context: CallContext) => Attributes {
  let lastPeer: string | undefined;
  let lastAttributes: Attributes = {};
  return (context) => {
    let peer: string;
    try {
      peer = context.peer;
    } catch {
      // grpc-js may no longer know the peer of a call that is already gone; the span is still worth having.
      return {};
    }
    if (peer !== lastPeer) {
      lastAttributes = peerAttributes(peer);
      lastPeer = peer;
    }
    return lastAttributes;
  };
}
