import type { CallContext } from './call-context.js';
import type { MethodDefinition, MethodMap, RpcMode, ServiceDefinition } from './definition.js';
import type { MessageInit } from './message-init.js';

/** A unary rpc: one request in, one response out. */
export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => MessageInit<Res> | Promise<MessageInit<Res>>;

/** A server-streaming rpc: one request in, a stream out (write it as an async generator). */
export type ServerStreamingHandler<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<MessageInit<Res>>;

/** A client-streaming rpc: a stream in, read as fast as the handler iterates it; one response out. */
export type ClientStreamingHandler<Req, Res> = (
  requests: AsyncIterable<Req>,
  ctx: CallContext,
) => MessageInit<Res> | Promise<MessageInit<Res>>;

/** A bidirectional rpc: a stream in, a stream out. */
export type BidiStreamingHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<MessageInit<Res>>;

/** The handler type an rpc's mode and messages call for. */
export type HandlerFor<M> = M extends MethodDefinition<infer Req, infer Res, infer Mode> ? HandlerOfMode<Req, Res, Mode> : never;

type HandlerOfMode<Req, Res, Mode extends RpcMode> = Mode extends 'unary'
  ? UnaryHandler<Req, Res>
  : Mode extends 'server_streaming'
    ? ServerStreamingHandler<Req, Res>
    : Mode extends 'client_streaming'
      ? ClientStreamingHandler<Req, Res>
      : BidiStreamingHandler<Req, Res>;

/** The name a handler has in an implementation object: the rpc's name with a lower-case first letter. */
export type HandlerName<RpcName extends string> = Uncapitalize<RpcName>;

/**
 * A plain object implementing a service for `app.addService(definition, implementation)`:
 * one handler per rpc, named like the rpc with a lower-case first letter (`Charge` → `charge`).
 */
export type ServiceImplementation<D extends ServiceDefinition> = {
  readonly [K in keyof D['methods'] & string as HandlerName<K>]: HandlerFor<D['methods'][K]>;
};

/** Handlers of a service with methods the service does not define allowed as well (for classes). */
export type PartialServiceImplementation<Methods extends MethodMap> = {
  readonly [K in keyof Methods & string as HandlerName<K>]?: HandlerFor<Methods[K]>;
};

/** The rpc name a handler name stands for: `charge` → `Charge`. */
export function rpcNameOf(handlerName: string): string {
  return handlerName.charAt(0).toUpperCase() + handlerName.slice(1);
}

/** The handler name of an rpc: `Charge` → `charge`. */
export function handlerNameOf(rpcName: string): string {
  return rpcName.charAt(0).toLowerCase() + rpcName.slice(1);
}
