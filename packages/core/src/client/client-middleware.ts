import type { MethodDescriptor } from '../call-context.js';
import type { CallOptions } from './call-options.js';

/** A client call whose request is one message (unary and server-streaming rpcs). */
export interface SingleRequestClientCall<Req> {
  readonly method: MethodDescriptor;
  readonly options: CallOptions;
  readonly requestStream: false;
  readonly request: Req;
}

/** A client call whose requests are a stream (client-streaming and bidi rpcs). */
export interface StreamRequestClientCall<Req> {
  readonly method: MethodDescriptor;
  readonly options: CallOptions;
  readonly requestStream: true;
  readonly requests: AsyncIterable<Req>;
}

/** One outgoing call as a client middleware sees it. */
export type ClientCall<Req = unknown> = SingleRequestClientCall<Req> | StreamRequestClientCall<Req>;

/** The rest of the client chain, ending in the network: yields the responses. */
export type ClientNext<Req = unknown, Res = unknown> = (call: ClientCall<Req>) => AsyncGenerator<Res, void, undefined>;

/**
 * The client's middleware shape, the same idea as `ServerMiddleware`: an async generator around the rest of
 * the chain, for all four modes. Change the call's options (metadata, deadline) by passing a new call to
 * `next`; see the final status as the error `next` throws. The first middleware registered runs outermost.
 *
 * @example
 * const withToken: ClientMiddleware = async function* withToken(call, next) {
 *   const metadata = new Metadata(call.options.metadata);
 *   metadata.set('authorization', `Bearer ${token}`);
 *   return yield* next({ ...call, options: { ...call.options, metadata } });
 * };
 */
export type ClientMiddleware = <Req, Res>(call: ClientCall<Req>, next: ClientNext<Req, Res>) => AsyncGenerator<Res, void, undefined>;
