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
 * The rest of the chain for a call with one response (unary and client-streaming rpcs), in a middleware's
 * `single` form: resolves with the response, or rejects with the failed status.
 */
export type ServerSingleNext<Req = unknown, Res = unknown> = (call: ServerCall<Req>) => Promise<Res>;

/**
 * The one middleware shape for all four rpc modes: an async generator around the rest of the chain.
 *
 * It may change the request (pass another call to `next`), wrap the request stream, change or filter the
 * responses it re-yields, read and write metadata through `call.context`, and see the final status: an error
 * thrown by `next` is the failed status (rethrow it, or throw another `RpcError`); returning normally is OK.
 * Calling `next` twice throws. The first middleware registered runs outermost.
 *
 * A middleware may also carry a `single` form: the same behaviour for calls with one response, written with a
 * promise instead of a generator. When every middleware of an rpc has one, Wirekit runs that rpc's unary and
 * client-streaming calls through the `single` forms, which costs a few promises per middleware instead of an
 * async generator with its delegation; otherwise every call goes through the generators. Both forms must
 * behave alike: the middleware package's own (tracing, logging, metrics, recovery, auth, rate limit) do.
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
export interface ServerMiddleware {
  <Req, Res>(call: ServerCall<Req>, next: ServerNext<Req, Res>): AsyncGenerator<Res, void, undefined>;
  /** The same middleware for unary and client-streaming calls, as a promise (see above). */
  readonly single?: <Req, Res>(call: ServerCall<Req>, next: ServerSingleNext<Req, Res>) => Promise<Res>;
}

/**
 * Gives a generator middleware its `single` form (see `ServerMiddleware`), returning the middleware.
 *
 * @example
 * const timing = withSingleForm(
 *   async function* timing(call, next) {
 *     const started = performance.now();
 *     try {
 *       return yield* next(call);
 *     } finally {
 *       console.log(call.method.path, performance.now() - started);
 *     }
 *   },
 *   async (call, next) => {
 *     const started = performance.now();
 *     try {
 *       return await next(call);
 *     } finally {
 *       console.log(call.method.path, performance.now() - started);
 *     }
 *   },
 * );
 */
export function withSingleForm(
  middleware: <Req, Res>(call: ServerCall<Req>, next: ServerNext<Req, Res>) => AsyncGenerator<Res, void, undefined>,
  single: <Req, Res>(call: ServerCall<Req>, next: ServerSingleNext<Req, Res>) => Promise<Res>,
): ServerMiddleware {
  return Object.assign(middleware, { single });
}
