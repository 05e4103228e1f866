import { type ClientMiddleware, Metadata, RpcError, Status } from '@wirekit/core';
import { createTokenSource, type TokenSource, type TokenSourceOptions } from './token-source.js';

/** Options of `credentials`: a fixed token, or a provider whose tokens are cached and refreshed. */
export type CredentialsOptions =
  | { readonly token: string; readonly tokenProvider?: never }
  | (TokenSourceOptions & { readonly token?: never });

/**
 * Client middleware that sends `authorization: Bearer <token>` with every call, for all four modes. With a
 * `tokenProvider`, the token is cached and refreshed `refreshMarginMs` before it expires; concurrent calls
 * share one refresh, and a token the server refuses (UNAUTHENTICATED) is dropped so the next call gets a new
 * one. A call that sets its own `authorization` header keeps it.
 *
 * Send tokens over TLS only: on a plaintext channel anyone on the path can read and replay them.
 *
 * @example
 * const payments = createClient(PaymentService, 'payments.internal:443', {
 *   tls: {},
 *   middleware: [credentials({ tokenProvider: async () => ({ token: await fetchToken(), expiresAt: Date.now() + 3_600_000 }) })],
 * });
 */
export function credentials(options: CredentialsOptions): ClientMiddleware {
  const source: TokenSource = options.token !== undefined ? fixedToken(options.token) : createTokenSource(options);
  return async function* credentials(call, next) {
    const metadata = new Metadata(call.options.metadata);
    if (metadata.has('authorization')) return yield* next(call);
    const token = await tokenFor(source, call.options.signal);
    metadata.set('authorization', `Bearer ${token}`);
    try {
      return yield* next({ ...call, options: { ...call.options, metadata } });
    } catch (error: unknown) {
      if (RpcError.is(error) && error.code === Status.UNAUTHENTICATED) source.invalidate(token);
      throw error;
    }
  };
}

function fixedToken(token: string): TokenSource {
  if (token === '') throw new Error('credentials({ token }) needs a non-empty token');
  return { get: async () => token, invalidate: () => {} };
}

/** The token, unless the call is cancelled first: a slow provider must not hold a cancelled call. */
async function tokenFor(source: TokenSource, signal: AbortSignal | undefined): Promise<string> {
  try {
    signal?.throwIfAborted();
    return await (signal === undefined ? source.get() : untilAborted(source.get(), signal));
  } catch (error: unknown) {
    if (signal?.aborted) throw new RpcError(Status.CANCELLED, 'the call was cancelled while its token was fetched', { cause: error });
    if (RpcError.is(error)) throw error;
    // UNAVAILABLE, as gRPC does when call credentials fail: the call never left, and a retry may succeed.
    throw new RpcError(Status.UNAVAILABLE, 'the token provider failed; the call was not sent', { cause: error });
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
