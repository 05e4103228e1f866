import type { MethodDefinition, ServiceDefinition } from '../definition.js';
import { describeMethod } from '../describe-method.js';
import { type HandlerName, handlerNameOf } from '../handler.js';
import type { MessageInit } from '../message-init.js';
import { composeMiddleware } from '../middleware/compose.js';
import type { CallOptions } from './call-options.js';
import { Channel, type ChannelSettings } from './channel.js';
import type { ClientCall, ClientMiddleware } from './client-middleware.js';
import type { ClientTransport } from './client-transport.js';

/** Requests for a streaming call: an async iterable (an async generator), or an array for a fixed list. */
export type RequestStream<Req> = AsyncIterable<MessageInit<Req>> | Iterable<MessageInit<Req>>;

/** The client method of an rpc: promises for single responses, async iterables for streams. */
export type ClientMethod<M> =
  M extends MethodDefinition<infer Req, infer Res, infer Mode>
    ? Mode extends 'unary'
      ? (request: MessageInit<Req>, options?: CallOptions) => Promise<Res>
      : Mode extends 'server_streaming'
        ? (request: MessageInit<Req>, options?: CallOptions) => AsyncIterable<Res>
        : Mode extends 'client_streaming'
          ? (requests: RequestStream<Req>, options?: CallOptions) => Promise<Res>
          : (requests: RequestStream<Req>, options?: CallOptions) => AsyncIterable<Res>
    : never;

/** A typed client: one method per rpc, named like the rpc with a lower-case first letter. */
export type Client<D extends ServiceDefinition> = {
  readonly [K in keyof D['methods'] & string as HandlerName<K>]: ClientMethod<D['methods'][K]>;
};

/** Options of `createClient`: the channel's settings (when it makes its own) and client middleware. */
export interface ClientOptions extends ChannelSettings {
  /** Client middleware, outermost first. */
  readonly middleware?: readonly ClientMiddleware[];
  /** Options merged under every call's own (e.g. a default `timeoutMs`). */
  readonly defaultCallOptions?: CallOptions;
}

// A generic middleware seen at one call shape: its type parameters are fixed by the chain.
type ClientMiddlewareStep = (
  call: ClientCall,
  next: (call: ClientCall) => AsyncGenerator<unknown, void, undefined>,
) => AsyncGenerator<unknown, void, undefined>;

const OWNED_TRANSPORT = Symbol('wirekit.ownedTransport');

/**
 * Creates a typed client. Given a target string it opens its own channel (close it with `closeClient`);
 * given a `Channel` or another `ClientTransport` (such as an in-memory connection), it shares it.
 *
 * @example
 * const payments = createClient(PaymentService, '127.0.0.1:50051');
 * const payment = await payments.charge({ orderId: 'o1', amountCents: 1250n, currency: 'EUR' }, { timeoutMs: 2000 });
 * for await (const event of payments.watchPayments({ follow: true }, { signal })) console.log(event);
 * closeClient(payments);
 */
export function createClient<D extends ServiceDefinition>(
  definition: D,
  target: string | ClientTransport,
  options: ClientOptions = {},
): Client<D> {
  const { middleware = [], defaultCallOptions } = options;
  const transport = typeof target === 'string' ? new Channel(target, options) : target;
  const client: Record<string, unknown> = {};
  for (const method of Object.values(definition.methods)) {
    const descriptor = describeMethod(method);
    const chain = composeMiddleware<ClientCall, AsyncGenerator<unknown, void, undefined>>(
      middleware as readonly ClientMiddlewareStep[],
      transport.call(method),
    );
    const callOptions = (given: CallOptions | undefined): CallOptions =>
      defaultCallOptions ? { ...defaultCallOptions, ...given } : (given ?? {});
    const start = (input: unknown, given: CallOptions | undefined): AsyncGenerator<unknown, void, undefined> => {
      const call: ClientCall = method.requestStream
        ? {
            method: descriptor,
            options: callOptions(given),
            requestStream: true,
            requests: toAsyncIterable(input as RequestStream<unknown>),
          }
        : { method: descriptor, options: callOptions(given), requestStream: false, request: input };
      return chain(call);
    };
    client[handlerNameOf(method.name)] = method.responseStream
      ? (input: unknown, given?: CallOptions) => start(input, given)
      : (input: unknown, given?: CallOptions) => single(start(input, given), descriptor.path);
  }
  if (typeof target === 'string') Object.defineProperty(client, OWNED_TRANSPORT, { value: transport, enumerable: false });
  return client as Client<D>;
}

/** Closes the channel a client opened for itself; a client on a shared transport is closed with the transport. */
export function closeClient(client: object): void {
  const transport = (client as { [OWNED_TRANSPORT]?: ClientTransport })[OWNED_TRANSPORT];
  transport?.close();
}

async function single(responses: AsyncGenerator<unknown, void, undefined>, path: string): Promise<unknown> {
  let response: { value: unknown } | undefined;
  for await (const value of responses) {
    if (response) throw new Error(`${path} returns one response, but the client middleware chain produced more`);
    response = { value };
  }
  if (!response) throw new Error(`${path} returns one response, but the client middleware chain produced none`);
  return response.value;
}

async function* toAsyncIterable<T>(source: RequestStream<T>): AsyncGenerator<MessageInit<T>, void, undefined> {
  yield* source;
}
