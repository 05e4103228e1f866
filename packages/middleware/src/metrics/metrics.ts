import type { ServerMiddleware } from '@wirekit/core';
import { observingMiddleware } from '../shared/observe-call.js';
import { DEFAULT_BUCKETS, GrpcMetrics, type MetricsRegistry } from './grpc-metrics.js';

/** What `metrics()` takes. */
export interface MetricsOptions {
  /** Where the metrics are created (never the global registry unless it is the one given). */
  readonly registry: MetricsRegistry;
  /**
   * Upper bounds, in seconds, of `grpc_server_handling_seconds`' buckets. Default: go-grpc-prometheus' (5 ms to
   * 10 s). When the registry already has the histogram, its buckets stay.
   */
  readonly buckets?: readonly number[];
}

/**
 * Server middleware counting calls as go-grpc-prometheus does, so existing dashboards work unchanged:
 * `grpc_server_started_total`, `grpc_server_handled_total`, `grpc_server_msg_received_total`,
 * `grpc_server_msg_sent_total` and the `grpc_server_handling_seconds` histogram, labelled `grpc_type` (`unary`,
 * `client_stream`, `server_stream`, `bidi_stream`), `grpc_service`, `grpc_method`, and `grpc_code` (the
 * code's name, e.g. `OK`) on the last two. A call the client cancelled or abandoned mid-stream counts as
 * CANCELLED (or DEADLINE_EXCEEDED). Messages are counted in every mode, the one request of a unary call included.
 *
 * Only methods the server serves reach middleware (grpc-js answers unknown paths itself), so label values are
 * bounded by the service definitions: a client cannot create series by calling made-up methods. Put `metrics`
 * early in the chain, so it also counts calls that inner middleware (auth, rate limiting) refuse.
 *
 * @example
 * const registry = new Registry();
 * const app = createApp({ services: [PaymentHandlers], middleware: [metrics({ registry })] });
 * await serveMetrics({ registry, port: 9464 });
 */
export function metrics(options: MetricsOptions): ServerMiddleware {
  const { registry, buckets = DEFAULT_BUCKETS } = options;
  const recorded = new GrpcMetrics(registry, 'server', buckets);
  // Counting starts when the call starts running; no generator of its own around the chain.
  return observingMiddleware('recordMetrics', (call) => {
    const labels = recorded.labelsOf(call.method);
    recorded.started(labels);
    return {
      onRequest: () => recorded.received(labels),
      onResponse: () => recorded.sent(labels),
      onEnd: ({ code, durationMs }) => recorded.handled(labels, code, durationMs / 1000),
    };
  });
}
