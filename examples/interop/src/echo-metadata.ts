import type { CallContext } from '@wirekit/core';

/** The request header the server echoes in its response headers ("Echo Metadata" in the interop descriptions). */
export const ECHO_INITIAL_KEY = 'x-grpc-test-echo-initial';
/** The binary request header the server echoes in its trailers. */
export const ECHO_TRAILING_KEY = 'x-grpc-test-echo-trailing-bin';

/**
 * Echoes the two interop headers: the initial one in the response headers, sent at once so they precede any
 * message and any status, and the trailing one in the trailers, which are sent with the status whether the call
 * succeeds or fails.
 */
export function echoMetadata(ctx: CallContext): void {
  const initial = ctx.metadata.get(ECHO_INITIAL_KEY);
  const trailing = ctx.metadata.get(ECHO_TRAILING_KEY);
  if (trailing !== undefined) ctx.trailer.set(ECHO_TRAILING_KEY, trailing);
  if (initial !== undefined) ctx.sendHeader({ [ECHO_INITIAL_KEY]: initial });
}
