import { createContextKey } from '@wirekit/core';
import type { Logger } from 'pino';

/**
 * The per-call key under which the logging middleware puts a child of its logger for handlers: its lines carry
 * the call's `method` and `requestId` (and `traceId`/`spanId` when a tracing middleware set them before the
 * logging middleware ran), so they join the call's own line. Unset when no logging middleware runs.
 *
 * @example
 * async charge(request: ChargeRequest, ctx: CallContext) {
 *   ctx.get(requestLoggerKey)?.info({ orderId: request.orderId }, 'charging');
 * }
 */
export const requestLoggerKey = createContextKey<Logger | undefined>(undefined, 'wirekit.requestLogger');
