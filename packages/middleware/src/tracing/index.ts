// Public API of @wirekit/middleware/tracing: OpenTelemetry spans for servers and clients, trace context and
// baggage carried in gRPC metadata, and a one-call setup of the Node SDK. Needs the optional peers
// @opentelemetry/api (and @opentelemetry/sdk-node for startTelemetry).

export type { TraceIds } from '../shared/trace-ids.js';
export { traceIdsKey } from '../shared/trace-ids.js';
export type { ClientTracingOptions } from './client-tracing.js';
export { clientTracing } from './client-tracing.js';
export type { TelemetryOptions } from './telemetry.js';
export { startTelemetry, Telemetry } from './telemetry.js';
export type { TracingOptions } from './tracing.js';
export { tracing } from './tracing.js';
