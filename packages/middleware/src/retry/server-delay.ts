import type { RpcError } from '@wirekit/core';

/** The trailer of gRFC A6 by which a server tells the client how long to wait before a retry, or not to retry. */
export const PUSHBACK_TRAILER = 'grpc-retry-pushback-ms';

// A6: "an ASCII encoded signed 32-bit integer with no unnecessary leading zeros".
const PUSHBACK_FORM = /^-?(0|[1-9]\d{0,9})$/;
const INT32_MAX = 2 ** 31 - 1;

/**
 * What the server said about retrying in its trailers: `{ retryAfterMs }` to wait that long, `'stop'` for a
 * negative or malformed pushback (A6: the server asks the client not to retry), `undefined` when it said nothing.
 *
 * @example
 * pushback(error); // { retryAfterMs: 250 } for `grpc-retry-pushback-ms: 250`
 */
export function pushback(error: RpcError): { readonly retryAfterMs: number } | 'stop' | undefined {
  const value = error.metadata.get(PUSHBACK_TRAILER);
  if (value === undefined) return undefined;
  if (!PUSHBACK_FORM.test(value)) return 'stop';
  const retryAfterMs = Number(value);
  return retryAfterMs < 0 || retryAfterMs > INT32_MAX ? 'stop' : { retryAfterMs };
}

/**
 * The delay of the error's `google.rpc.RetryInfo` detail in milliseconds, or `undefined` when it has none (or
 * one with a negative delay, which cannot be honoured).
 *
 * @example
 * retryInfoDelayMs(new RpcError(Status.RESOURCE_EXHAUSTED, 'slow down', { details: [retryInfo(1_500)] })); // 1500
 */
export function retryInfoDelayMs(error: RpcError): number | undefined {
  const delay = error.findDetails('google.rpc.RetryInfo')[0]?.retryDelay;
  if (delay === undefined) return undefined;
  const ms = delay.seconds * 1_000 + delay.nanos / 1e6;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
