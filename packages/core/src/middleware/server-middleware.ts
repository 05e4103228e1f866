import type { CallContext, MethodDescriptor } from '../call-context.js';

/** A call whose request is one message (unary and server-streaming rpcs). */
export interface SingleRequestCall<Req> {
  readonly method: MethodDescriptor;
  readonly context: CallContext;
  readonly requestStream: false;
  readonly request: Req;
}

/** A call whose requests are a stream (client-streaming and bidi rpcs). */
export interface StreamRequestCall<Req> {
  readonly method: MethodDescriptor;
  readonly context: CallContext;
  readonly requestStream: true;
  readonly requests: AsyncIterable<Req>;
}

/** One call as a server middleware sees it; `requestStream` tells the two shapes apart. */
export type ServerCall<Req = unknown> = SingleRequestCall<Req> | StreamRequestCall<Req>;

/** The rest of the chain: yields the response messages (exactly one for unary and client-streaming rpcs). */
export type ServerNext<Req = unknown, Res = unknown> = (call: ServerCall<Req>) => AsyncGenerator<Res, void, undefined>;

/**
 * The one middleware shape for all four rpc modes: an async generator around the rest of the chain.
 *
 * It may change the request (pass another call to `next`), wrap the request stream, change or filter the
 * responses it re-yields, read and write metadata through `call.context`, and see the final status: an error
 * thrown by `next` is the failed status (rethrow it, or throw another `RpcError`); returning normally is OK.
 * Calling `next` twice throws. The first middleware registered runs outermost.
 *
 * @example
 * const timing: ServerMiddleware = async function* timing(call, next) {
 *   const started = performance.now();
 *   try {
 *     return yield* next(call);
 *   } finally {
 *     console.log(call.method.path, performance.now() - started);
 *   }
 * };
 */
export type ServerMiddleware = <Req, Res>(call: ServerCall<Req>, next: ServerNext<Req, Res>) => AsyncGenerator<Res, void, undefined>;
