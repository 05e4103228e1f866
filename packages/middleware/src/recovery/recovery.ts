import { type Logger, RpcError, type ServerCall, type ServerMiddleware, Status, withSingleForm } from '@wirekit/core';

/** What `recovery()` takes. */
export interface RecoveryOptions {
  /** Where the cause of an INTERNAL error goes: a pino logger, or any `Logger` of `@wirekit/core`. */
  readonly logger: Logger;
}

/**
 * Server middleware that turns anything thrown below it that is not an `RpcError` into one: the client gets
 * INTERNAL with the generic message "Internal server error" (the thrown value may hold secrets), the logger
 * gets an error line with the method, the peer and the thrown value, and the process keeps serving. Abort
 * errors become CANCELLED or DEADLINE_EXCEEDED, without a log line; an `RpcError` passes through untouched.
 *
 * The app already does this at its edge, so you need `recovery` only when middleware that runs before it must
 * see an `RpcError` rather than whatever was thrown: one that reads `error.code` or `rawMessage`, or translates
 * errors, or forwards them. Register it last, so it is innermost and every other middleware is outside it.
 * The cause is then logged here, once: the app logs only what reaches its edge as a non-`RpcError`.
 *
 * @example
 * const app = createApp({ logger, middleware: [logging({ logger }), translateErrors, recovery({ logger })] });
 */
export function recovery(options: RecoveryOptions): ServerMiddleware {
  const { logger } = options;
  const recovered = (call: ServerCall, thrown: unknown): RpcError => {
    if (RpcError.is(thrown)) return thrown;
    const error = RpcError.from(thrown);
    if (error.code === Status.INTERNAL) {
      logger.error({ method: call.method.path, peer: peerOf(call.context), err: thrown }, 'handler failed; the client got INTERNAL');
    }
    return error;
  };
  return withSingleForm(
    async function* recover(call, next) {
      try {
        return yield* next(call);
      } catch (thrown: unknown) {
        throw recovered(call, thrown);
      }
    },
    async (call, next) => {
      try {
        return await next(call);
      } catch (thrown: unknown) {
        throw recovered(call, thrown);
      }
    },
  );
}

function peerOf(context: { readonly peer: string }): string {
  try {
    return context.peer;
  } catch {
    // grpc-js may have let go of the connection by the time a late failure is reported.
    return 'unknown';
  }
}
