import type { ClientMiddleware } from '@wirekit/core';
import { observeClientCall } from '../shared/observe-call.js';
import { DEFAULT_BUCKETS, GrpcMetrics, type MetricsRegistry } from './grpc-metrics.js';

/** What `clientMetrics()` takes. */
export interface ClientMetricsOptions {
  /** Where the metrics are created (never the global registry unless it is the one given). */
  readonly registry: MetricsRegistry;
  /** Upper bounds, in seconds, of `grpc_client_handling_seconds`' buckets. Default: go-grpc-prometheus' (5 ms to 10 s). */
  readonly buckets?: readonly number[];
}

/**
 * Client middleware counting outgoing calls under go-grpc-prometheus' client names: `grpc_client_started_total`,
 * `grpc_client_handled_total`, `grpc_client_msg_received_total`, `grpc_client_msg_sent_total` and
 * `grpc_client_handling_seconds`, with the labels of `metrics()`. A call cancelled by its `AbortSignal`, or
 * whose response stream the caller stopped reading, counts as CANCELLED; a stream counts as started when the
 * caller starts reading it.
 *
 * @example
 * const payments = createClient(PaymentService, 'payments:50051', { middleware: [clientMetrics({ registry })] });
 */
export function clientMetrics(options: ClientMetricsOptions): ClientMiddleware {
  const { registry, buckets = DEFAULT_BUCKETS } = options;
  const recorded = new GrpcMetrics(registry, 'client', buckets);
  return async function* recordClientMetrics(call, next) {
    const labels = recorded.labelsOf(call.method);
    recorded.started(labels);
    return yield* observeClientCall(call, next, {
      onRequest: () => recorded.sent(labels),
      onResponse: () => recorded.received(labels),
      onEnd: ({ code, durationMs }) => recorded.handled(labels, code, durationMs / 1000),
    });
  };
}
