import type { BidiStreaming, ClientStreaming, RpcMode, ServerStreaming, Unary } from '../definition.js';
import type { BidiStreamingHandler, ClientStreamingHandler, ServerStreamingHandler, UnaryHandler } from '../handler.js';
import { rpcNameOf } from '../handler.js';
import { recordHandler } from './decorator-metadata.js';

type MethodDecoratorFor<H> = <F extends H>(target: object, propertyKey: string, descriptor: TypedPropertyDescriptor<F>) => void;
type UntypedMethodDecorator = (target: object, propertyKey: string, descriptor: PropertyDescriptor) => void;

function bindMethod(mode: RpcMode, rpc: string | { readonly name: string; readonly mode: RpcMode } | undefined): UntypedMethodDecorator {
  return function bindHandler(target: object, propertyKey: string): void {
    const rpcName = rpc === undefined ? rpcNameOf(propertyKey) : typeof rpc === 'string' ? rpc : rpc.name;
    recordHandler(target, { propertyKey, mode, rpcName });
  };
}

/**
 * Marks a method as the handler of a unary rpc. The rpc is named by the argument: a generated method
 * definition (the compiler then checks the method's types), an rpc name, or nothing (the method's name with an
 * upper-case first letter: `charge` → `Charge`). The mode is checked against the proto at startup.
 *
 * @example
 * @UnaryMethod(PaymentService.methods.GetPayment)
 * async find(request: GetPaymentRequest, ctx: CallContext): Promise<Payment> { … }
 */
export function UnaryMethod<Req, Res>(rpc: Unary<Req, Res>): MethodDecoratorFor<UnaryHandler<Req, Res>>;
export function UnaryMethod(rpcName?: string): UntypedMethodDecorator;
export function UnaryMethod(rpc?: string | Unary<unknown, unknown>): UntypedMethodDecorator {
  return bindMethod('unary', rpc);
}

/** Marks a method (an async generator) as the handler of a server-streaming rpc; see `UnaryMethod`. */
export function ServerStreamingMethod<Req, Res>(rpc: ServerStreaming<Req, Res>): MethodDecoratorFor<ServerStreamingHandler<Req, Res>>;
export function ServerStreamingMethod(rpcName?: string): UntypedMethodDecorator;
export function ServerStreamingMethod(rpc?: string | ServerStreaming<unknown, unknown>): UntypedMethodDecorator {
  return bindMethod('server_streaming', rpc);
}

/** Marks a method as the handler of a client-streaming rpc; see `UnaryMethod`. */
export function ClientStreamingMethod<Req, Res>(rpc: ClientStreaming<Req, Res>): MethodDecoratorFor<ClientStreamingHandler<Req, Res>>;
export function ClientStreamingMethod(rpcName?: string): UntypedMethodDecorator;
export function ClientStreamingMethod(rpc?: string | ClientStreaming<unknown, unknown>): UntypedMethodDecorator {
  return bindMethod('client_streaming', rpc);
}

/** Marks a method (an async generator) as the handler of a bidirectional rpc; see `UnaryMethod`. */
export function BidiStreamingMethod<Req, Res>(rpc: BidiStreaming<Req, Res>): MethodDecoratorFor<BidiStreamingHandler<Req, Res>>;
export function BidiStreamingMethod(rpcName?: string): UntypedMethodDecorator;
export function BidiStreamingMethod(rpc?: string | BidiStreaming<unknown, unknown>): UntypedMethodDecorator {
  return bindMethod('bidi_streaming', rpc);
}
