import type { BidiStreaming, ClientStreaming, MethodDefinition, RpcMode, ServerStreaming, Unary } from '../definition.js';
import type { BidiStreamingHandler, ClientStreamingHandler, ServerStreamingHandler, UnaryHandler } from '../handler.js';
import { handlerNameOf, rpcNameOf } from '../handler.js';
import { recordHandler } from './decorator-metadata.js';
import type { ModeShapedDecorator } from './handler-shape.js';

type MethodDecoratorFor<H> = <F extends H>(target: object, propertyKey: string, descriptor: TypedPropertyDescriptor<F>) => void;
type UntypedMethodDecorator = (target: object, propertyKey: string, descriptor: PropertyDescriptor) => void;

/**
 * The parameter type an rpc name meets. Names are refused because a name cannot carry the rpc's types: a method
 * bound by name under another method name would escape the compiler's check.
 */
type NameRefused<Decorator extends string> =
  `an rpc is named by its generated definition, ${Decorator}(Service.methods.Rpc), or by the method's own name (charge for Charge), not by a string`;

function bindMethod(decorator: string, mode: RpcMode, rpc: MethodDefinition | string | undefined): UntypedMethodDecorator {
  return function bindHandler(target: object, propertyKey: string): void {
    // The types refuse a name; this is for callers the compiler did not see (plain JavaScript, casts).
    if (typeof rpc === 'string') {
      throw new TypeError(
        `${target.constructor.name}.${propertyKey}: ${decorator}('${rpc}') names an rpc by a string, which cannot carry the rpc's types; pass its generated definition, ${decorator}(Service.methods.${rpc}), or name the method ${handlerNameOf(rpc)}() and use ${decorator}()`,
      );
    }
    recordHandler(
      target,
      rpc === undefined
        ? { propertyKey, mode, rpcName: rpcNameOf(propertyKey), service: undefined }
        : { propertyKey, mode, rpcName: rpc.name, service: rpc.service },
    );
  };
}

/**
 * Marks a method as the handler of a unary rpc. The rpc is named by the argument, a generated method
 * definition (the compiler checks the method's request, response and mode against it, whatever the method's
 * name), or by the method's name (`charge` → `Charge`; the class decorator checks the messages, this decorator
 * the mode). The app checks at startup that the rpc belongs to the class's service.
 *
 * @example
 * @UnaryMethod(PaymentService.methods.GetPayment)
 * async find(request: GetPaymentRequest, ctx: CallContext): Promise<Payment> { … }
 */
export function UnaryMethod<Req, Res>(rpc: Unary<Req, Res>): MethodDecoratorFor<UnaryHandler<Req, Res>>;
export function UnaryMethod(): ModeShapedDecorator<
  'unary',
  '@UnaryMethod() handles (request, ctx) and returns a response or a promise of one'
>;
export function UnaryMethod(rpcName: NameRefused<'@UnaryMethod'>): never;
export function UnaryMethod(rpc?: Unary<unknown, unknown> | string): UntypedMethodDecorator {
  return bindMethod('@UnaryMethod', 'unary', rpc);
}

/** Marks a method (an async generator) as the handler of a server-streaming rpc; see `UnaryMethod`. */
export function ServerStreamingMethod<Req, Res>(rpc: ServerStreaming<Req, Res>): MethodDecoratorFor<ServerStreamingHandler<Req, Res>>;
export function ServerStreamingMethod(): ModeShapedDecorator<
  'server_streaming',
  '@ServerStreamingMethod() handles (request, ctx) as an async generator of responses'
>;
export function ServerStreamingMethod(rpcName: NameRefused<'@ServerStreamingMethod'>): never;
export function ServerStreamingMethod(rpc?: ServerStreaming<unknown, unknown> | string): UntypedMethodDecorator {
  return bindMethod('@ServerStreamingMethod', 'server_streaming', rpc);
}

/** Marks a method as the handler of a client-streaming rpc; see `UnaryMethod`. */
export function ClientStreamingMethod<Req, Res>(rpc: ClientStreaming<Req, Res>): MethodDecoratorFor<ClientStreamingHandler<Req, Res>>;
export function ClientStreamingMethod(): ModeShapedDecorator<
  'client_streaming',
  '@ClientStreamingMethod() handles (requests: AsyncIterable, ctx) and returns a response or a promise of one'
>;
export function ClientStreamingMethod(rpcName: NameRefused<'@ClientStreamingMethod'>): never;
export function ClientStreamingMethod(rpc?: ClientStreaming<unknown, unknown> | string): UntypedMethodDecorator {
  return bindMethod('@ClientStreamingMethod', 'client_streaming', rpc);
}

/** Marks a method (an async generator) as the handler of a bidirectional rpc; see `UnaryMethod`. */
export function BidiStreamingMethod<Req, Res>(rpc: BidiStreaming<Req, Res>): MethodDecoratorFor<BidiStreamingHandler<Req, Res>>;
export function BidiStreamingMethod(): ModeShapedDecorator<
  'bidi_streaming',
  '@BidiStreamingMethod() handles (requests: AsyncIterable, ctx) as an async generator of responses'
>;
export function BidiStreamingMethod(rpcName: NameRefused<'@BidiStreamingMethod'>): never;
export function BidiStreamingMethod(rpc?: BidiStreaming<unknown, unknown> | string): UntypedMethodDecorator {
  return bindMethod('@BidiStreamingMethod', 'bidi_streaming', rpc);
}
