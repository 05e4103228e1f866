import { createContextKey } from '@wirekit/core';

/** The W3C trace context ids of the span a call runs in, as lower-case hex. */
export interface TraceIds {
  /** 32 hex digits. */
  readonly traceId: string;
  /** 16 hex digits: the server span of the call. */
  readonly spanId: string;
}

/**
 * The per-call key under which a tracing middleware puts the ids of the call's span, so that logs can be
 * joined to traces without the logging middleware depending on a tracing library. Unset when no tracing
 * middleware runs. The logging middleware reads it when the call ends, and also when it starts (for the
 * handlers' logger) if the tracing middleware runs before it.
 *
 * @example
 * // in a tracing middleware
 * call.context.set(traceIdsKey, { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
 * // anywhere later in the call
 * const traceId = ctx.get(traceIdsKey)?.traceId;
 */
export const traceIdsKey = createContextKey<TraceIds | undefined>(undefined, 'wirekit.traceIds');
