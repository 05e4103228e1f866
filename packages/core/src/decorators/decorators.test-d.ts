// Type tests: compiled by `npm run typecheck` (tsc), never run. Each `@ts-expect-error` must meet an error, so
// a check that stops catching a mistake fails the build.
import { expectTypeOf } from 'vitest';
import type { CallContext } from '../call-context.js';
import type { Client } from '../client/create-client.js';
import type { MessageInit } from '../message-init.js';
import { createApp } from '../server/app.js';
import type { CollectResponse, EchoRequest, EchoResponse, ExpandRequest } from '../test-support/echo.generated.js';
import { EchoService } from '../test-support/echo.generated.js';
import { BidiStreamingMethod, ClientStreamingMethod, ServerStreamingMethod, UnaryMethod } from './method.js';
import { Service } from './service.js';

// A class that matches the proto compiles.
@Service(EchoService)
export class Matching {
  @UnaryMethod()
  async echo(request: EchoRequest, _ctx: CallContext): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }
  @ServerStreamingMethod()
  async *expand(request: ExpandRequest): AsyncGenerator<MessageInit<EchoResponse>> {
    yield { message: request.message };
  }
  @ClientStreamingMethod()
  async collect(requests: AsyncIterable<EchoRequest>): Promise<MessageInit<CollectResponse>> {
    for await (const _request of requests);
    return { count: 1 };
  }
  @BidiStreamingMethod()
  async *chat(requests: AsyncIterable<EchoRequest>): AsyncGenerator<MessageInit<EchoResponse>> {
    yield* requests;
  }
}

// @ts-expect-error the request type is another rpc's
@Service(EchoService)
export class WrongRequest {
  async echo(request: ExpandRequest) {
    return { message: String(request.count) };
  }
}

// @ts-expect-error the response has a field of the wrong type
@Service(EchoService)
export class WrongResponse {
  async echo() {
    return { sequence: 'one' };
  }
}

// @ts-expect-error a server-streaming rpc written as unary
@Service(EchoService)
export class UnaryForStream {
  async expand(request: ExpandRequest) {
    return { message: request.message };
  }
}

// @ts-expect-error a client-streaming rpc written as taking one request
@Service(EchoService)
export class SingleForClientStream {
  async collect(request: EchoRequest) {
    return { joined: request.message };
  }
}

// Both checks meet a bidi rpc written as unary: the class decorator (by the method's name) and the mode decorator.
// @ts-expect-error chat is no handler of EchoService's bidi Chat
@Service(EchoService, { allowUnimplemented: true })
export class UnaryForBidi {
  // @ts-expect-error a unary-shaped method under @BidiStreamingMethod()
  @BidiStreamingMethod()
  async chat(request: EchoRequest) {
    return { message: request.message };
  }
}

// @ts-expect-error a unary rpc written as an async generator
@Service(EchoService, { allowUnimplemented: true })
export class GeneratorForUnary {
  // @ts-expect-error an async generator under @UnaryMethod()
  @UnaryMethod()
  async *echo(request: EchoRequest) {
    yield { message: request.message };
  }
}

// @ts-expect-error a server stream yielding the wrong type
@Service(EchoService, { allowUnimplemented: true })
export class WrongYield {
  @ServerStreamingMethod()
  async *expand(request: ExpandRequest) {
    yield { message: request.count };
  }
}

// The class decorator checks a method by its name and cannot see its decorator, so the decorator checks the
// mode: a unary-shaped method bound as bidi, under an rpc that is unary, still fails to compile.
@Service(EchoService, { allowUnimplemented: true })
export class ModeOfTheDecorator {
  // @ts-expect-error @BidiStreamingMethod() on a method that takes one request and returns one response
  @BidiStreamingMethod()
  async echo(request: EchoRequest): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }
  // @ts-expect-error @UnaryMethod() on a method that takes a stream
  @UnaryMethod()
  async collect(requests: AsyncIterable<EchoRequest>): Promise<MessageInit<CollectResponse>> {
    for await (const _request of requests);
    return { count: 1 };
  }
  // @ts-expect-error @ServerStreamingMethod() on a method that takes a stream
  @ServerStreamingMethod()
  async *chat(requests: AsyncIterable<EchoRequest>): AsyncGenerator<MessageInit<EchoResponse>> {
    yield* requests;
  }
}

// Handlers named otherwise than their rpcs are checked by their definitions, under @Service as well.
@Service(EchoService)
export class RenamedHandlers {
  @UnaryMethod(EchoService.methods.Echo)
  async find(request: EchoRequest): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }
  @ServerStreamingMethod(EchoService.methods.Expand)
  async *repeat(request: ExpandRequest): AsyncGenerator<MessageInit<EchoResponse>> {
    yield { message: request.message };
  }
  @ClientStreamingMethod(EchoService.methods.Collect)
  async gather(requests: AsyncIterable<EchoRequest>): Promise<MessageInit<CollectResponse>> {
    for await (const _request of requests);
    return { count: 1 };
  }
  @BidiStreamingMethod(EchoService.methods.Chat)
  async *talk(requests: AsyncIterable<EchoRequest>): AsyncGenerator<MessageInit<EchoResponse>> {
    yield* requests;
  }
}

@Service(EchoService, { allowUnimplemented: true })
export class NamedByString {
  // @ts-expect-error an rpc named by a string would escape the type check: name it by its definition
  @UnaryMethod('Echo')
  async find(request: ExpandRequest) {
    return { message: String(request.count) };
  }
  // @ts-expect-error the same for the other modes
  @BidiStreamingMethod('Chat')
  async *talk(requests: AsyncIterable<ExpandRequest>) {
    for await (const request of requests) yield { message: request.count };
  }
}

// A class bound by full name: the compiler cannot see the proto, but each decorator still checks its mode.
@Service('wirekit.test.v1.EchoService')
export class ByFullName {
  @UnaryMethod()
  async echo(request: EchoRequest): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }
  // @ts-expect-error a client-streaming decorator on a method that takes one request
  @ClientStreamingMethod()
  async collect(request: EchoRequest): Promise<MessageInit<CollectResponse>> {
    return { joined: request.message };
  }
}

export class TypedMethodDecorator {
  @UnaryMethod(EchoService.methods.Echo)
  async find(request: EchoRequest): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }

  // @ts-expect-error the typed decorator checks a method whatever its name
  @UnaryMethod(EchoService.methods.Echo)
  async lookup(request: ExpandRequest): Promise<MessageInit<EchoResponse>> {
    return { message: String(request.count) };
  }

  // @ts-expect-error a unary decorator given a streaming rpc
  @UnaryMethod(EchoService.methods.Expand)
  async stream(request: ExpandRequest): Promise<MessageInit<EchoResponse>> {
    return { message: request.message };
  }
}

const app = createApp();
app.addService(EchoService, {
  echo: (request) => ({ message: request.message }),
  async *expand(request) {
    yield { message: request.message };
  },
  collect: async () => ({ count: 0 }),
  async *chat(requests) {
    yield* requests;
  },
});
// @ts-expect-error a missing handler without allowUnimplemented
app.addService(EchoService, { echo: (request) => ({ message: request.message }) });
app.addService(EchoService, { echo: (request) => ({ message: request.message }) }, { allowUnimplemented: true });
// @ts-expect-error a handler returning the wrong type
app.addService(EchoService, { echo: () => ({ message: 1 }) }, { allowUnimplemented: true });

declare const client: Client<typeof EchoService>;
expectTypeOf(client.echo).parameter(0).toEqualTypeOf<MessageInit<EchoRequest>>();
expectTypeOf(client.echo).returns.toEqualTypeOf<Promise<EchoResponse>>();
expectTypeOf(client.expand).returns.toEqualTypeOf<AsyncIterable<EchoResponse>>();
expectTypeOf(client.collect).returns.toEqualTypeOf<Promise<CollectResponse>>();
expectTypeOf(client.chat).returns.toEqualTypeOf<AsyncIterable<EchoResponse>>();
expectTypeOf<EchoResponse['sequence']>().toEqualTypeOf<bigint>();
// @ts-expect-error a 64-bit field takes a bigint, not a number
void client.echo({ sequence: 1 });
// @ts-expect-error no such rpc
void client.refund;
