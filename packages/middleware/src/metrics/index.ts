// Public API of @wirekit/middleware/metrics: Prometheus metrics with prom-client (an optional peer dependency).

export type { ClientMetricsOptions } from './client-metrics.js';
export { clientMetrics } from './client-metrics.js';
export type { MetricsRegistry } from './grpc-metrics.js';
export { DEFAULT_BUCKETS } from './grpc-metrics.js';
export type { MetricsOptions } from './metrics.js';
export { metrics } from './metrics.js';
export type { MetricsServer, ServeMetricsOptions } from './serve-metrics.js';
export { serveMetrics } from './serve-metrics.js';
