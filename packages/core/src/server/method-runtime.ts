import type { Readable, Writable } from 'node:stream';
import type {
  Metadata as GrpcMetadata,
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  StatusObject,
  sendUnaryData,
} from '@grpc/grpc-js';
import type { MethodDescriptor } from '../call-context.js';
import type { AnyMethodDefinition } from '../definition.js';
import { describeMethod } from '../describe-method.js';
import type { Logger } from '../logger.js';
import { composeMiddleware } from '../middleware/compose.js';
import type { ServerCall, ServerMiddleware, ServerNext, ServerSingleNext } from '../middleware/server-middleware.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import type { CallTracker } from './call-tracker.js';
import { errorToStatus } from './error-status.js';
import { decodeRequest, readRequests } from './request-stream.js';
import { noteEncodedResponse } from './response-compression.js';
import { writeResponses } from './response-writer.js';
import { ServerCallContext } from './server-call-context.js';

/** A handler with its instance bound: `(request or requests, ctx) => response or responses`. */
export type BoundHandler = (input: unknown, context: ServerCallContext) => unknown;

/** One rpc of a bound service, ready to serve. */
export interface MethodBinding {
  readonly definition: AnyMethodDefinition;
  /** `undefined` when the rpc was allowed to stay unimplemented. */
  readonly handler: BoundHandler | undefined;
  /** App-wide, then service, then method middleware. */
  readonly middleware: readonly ServerMiddleware[];
  /** Method options set by decorators (`createMethodOption`). */
  readonly options?: ReadonlyMap<symbol, unknown>;
}

/** What every call of a server shares. */
export interface ServerRuntime {
  readonly logger: Logger;
  /** Calls in progress, so a shutdown can wait for them and cancel them when its grace period is over. */
  readonly inFlight: CallTracker;
}

export type GrpcHandler =
  | { readonly type: 'unary'; readonly func: handleUnaryCall<Buffer, Buffer> }
  | { readonly type: 'serverStream'; readonly func: handleServerStreamingCall<Buffer, Buffer> }
  | { readonly type: 'clientStream'; readonly func: handleClientStreamingCall<Buffer, Buffer> }
  | { readonly type: 'bidi'; readonly func: handleBidiStreamingCall<Buffer, Buffer> };

/**
 * Builds the grpc-js handler of one rpc. Messages are decoded and encoded here rather than in grpc-js's
 * (de)serializers, so that a bad message becomes a status with a message a person can act on.
 * The middleware chain is composed once, here; without middleware the handler is called directly.
 */
export function createGrpcHandler(binding: MethodBinding, runtime: ServerRuntime): GrpcHandler {
  const { definition } = binding;
  const descriptor = describeMethod(definition, binding.options);
  const produce = responseProducer(binding, descriptor);
  const encode = (message: unknown): Buffer => {
    const encoded = definition.responseCodec.encode(message);
    const bytes = Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    noteEncodedResponse(message, bytes);
    return bytes;
  };

  const start = (call: ConstructorParameters<typeof ServerCallContext>[1]): ServerCallContext => {
    const context = new ServerCallContext(descriptor, call);
    runtime.inFlight.add(context);
    return context;
  };
  const finish = (context: ServerCallContext): void => {
    context.end();
    runtime.inFlight.delete(context);
  };

  const fail = (context: ServerCallContext, callback: sendUnaryData<Buffer>, error: unknown): void => {
    callback(toServiceError(errorToStatus(error, context, runtime.logger)));
    finish(context);
  };
  const succeed = (context: ServerCallContext, callback: sendUnaryData<Buffer>, response: unknown): void => {
    let bytes: Buffer;
    let trailers: GrpcMetadata | undefined;
    try {
      if (context.headerPending) context.sendHeader();
      bytes = encode(response);
      trailers = context.grpcTrailers();
    } catch (error: unknown) {
      fail(context, callback, error);
      return;
    }
    callback(null, bytes, trailers);
    finish(context);
  };
  // A handler that answers synchronously is answered in the same turn, with no promise in between; an async one
  // costs one `then`, where awaiting it inside async wrappers cost several microtask turns per call.
  const answer = (context: ServerCallContext, callback: sendUnaryData<Buffer>, produceResponse: () => unknown): void => {
    let response: unknown;
    try {
      response = produceResponse();
    } catch (error: unknown) {
      fail(context, callback, error);
      return;
    }
    if (!isPromiseLike(response)) {
      succeed(context, callback, response);
      return;
    }
    response.then(
      (value) => succeed(context, callback, value),
      (error: unknown) => fail(context, callback, error),
    );
  };

  const stream = (context: ServerCallContext, call: ServerCall, writable: Writable & { end(trailers?: GrpcMetadata): unknown }): void => {
    let responses: AsyncIterable<unknown>;
    try {
      responses = produce.stream(call);
    } catch (error: unknown) {
      failStream(context, writable, error);
      return;
    }
    writeResponses(responses, writable, context, encode).then(
      () => {
        writable.end(context.grpcTrailers());
        finish(context);
      },
      (error: unknown) => failStream(context, writable, error),
    );
  };
  const failStream = (context: ServerCallContext, writable: Writable, error: unknown): void => {
    writable.emit('error', errorToStatus(error, context, runtime.logger));
    finish(context);
  };

  switch (definition.mode) {
    case 'unary':
      return {
        type: 'unary',
        func: (call: ServerUnaryCall<Buffer, Buffer>, callback) => {
          const context = start(call);
          answer(context, callback, () =>
            produce.single(singleRequestCall(descriptor, context, decodeRequest(definition.requestCodec, call.request))),
          );
        },
      };
    case 'client_streaming':
      return {
        type: 'clientStream',
        func: (call: ServerReadableStream<Buffer, Buffer>, callback) => {
          const context = start(call);
          const requests = readRequests(call as unknown as Readable, definition.requestCodec, context.signal, () =>
            context.confirmRequestEnd(),
          );
          answer(context, callback, () => produce.single(streamRequestCall(descriptor, context, requests)));
        },
      };
    case 'server_streaming':
      return {
        type: 'serverStream',
        func: (call: ServerWritableStream<Buffer, Buffer>) => {
          const context = start(call);
          let request: unknown;
          try {
            request = decodeRequest(definition.requestCodec, call.request);
          } catch (error: unknown) {
            failStream(context, call, error);
            return;
          }
          stream(context, singleRequestCall(descriptor, context, request), call);
        },
      };
    case 'bidi_streaming':
      return {
        type: 'bidi',
        func: (call: ServerDuplexStream<Buffer, Buffer>) => {
          const context = start(call);
          const requests = readRequests(call as unknown as Readable, definition.requestCodec, context.signal, () =>
            context.confirmRequestEnd(),
          );
          stream(context, streamRequestCall(descriptor, context, requests), call);
        },
      };
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function singleRequestCall(method: MethodDescriptor, context: ServerCallContext, request: unknown): ServerCall {
  return { method, context, requestStream: false, request };
}

function streamRequestCall(method: MethodDescriptor, context: ServerCallContext, requests: AsyncIterable<unknown>): ServerCall {
  return { method, context, requestStream: true, requests };
}

// A generic middleware seen at one call shape: its type parameters are fixed by the chain.
type ServerStep = (call: ServerCall, next: ServerNext) => AsyncGenerator<unknown, void, undefined>;

interface ResponseProducer {
  /** The one response of a unary or client-streaming call, or a promise of it. */
  single(call: ServerCall): unknown;
  /** The responses of a server-streaming or bidi call. */
  stream(call: ServerCall): AsyncIterable<unknown>;
}

function responseProducer(binding: MethodBinding, method: MethodDescriptor): ResponseProducer {
  const invoke = binding.handler ?? unimplemented(method);
  const input = (call: ServerCall): unknown => (call.requestStream ? call.requests : call.request);

  if (binding.middleware.length === 0) {
    // The fast path: no generator between grpc-js and the handler, and no promise around a synchronous answer.
    return {
      single: (call) => invoke(input(call), call.context as ServerCallContext),
      stream: (call) => asAsyncIterable(invoke(input(call), call.context as ServerCallContext), method),
    };
  }

  if (!method.responseStream && binding.middleware.every((middleware) => typeof middleware.single === 'function')) {
    return {
      single: composeSingle(binding.middleware, (call) => invoke(input(call), call.context as ServerCallContext)),
      stream: noStream,
    };
  }

  const innermost: ServerNext = method.responseStream
    ? async function* handler(call) {
        yield* asAsyncIterable(invoke(input(call), call.context as ServerCallContext), method);
      }
    : async function* handler(call) {
        yield await invoke(input(call), call.context as ServerCallContext);
      };
  const chain = composeMiddleware<ServerCall, AsyncGenerator<unknown, void, undefined>>(
    binding.middleware as readonly ServerStep[],
    innermost,
  );
  return {
    single: async (call) => {
      let response: { value: unknown } | undefined;
      for await (const value of chain(call)) {
        if (response) throw new Error(`${method.path} is ${method.mode} but its middleware chain produced more than one response`);
        response = { value };
      }
      if (!response) throw new Error(`${method.path} is ${method.mode} but its middleware chain ended without a response`);
      return response.value;
    },
    stream: (call) => chain(call),
  };
}

/**
 * The chain of `single` forms, composed once per method: the first middleware outermost, each `next` a promise of
 * the response. The handler's own answer (a value, a promise, or a throw) becomes that promise.
 */
function composeSingle(middleware: readonly ServerMiddleware[], handler: (call: ServerCall) => unknown): ServerSingleNext {
  const singles = middleware.map((current) => current.single as NonNullable<ServerMiddleware['single']>);
  const innermost: ServerSingleNext = (call) => {
    try {
      return Promise.resolve(handler(call));
    } catch (error: unknown) {
      return Promise.reject(error);
    }
  };
  return composeMiddleware<ServerCall, Promise<unknown>>(
    singles,
    innermost,
    middleware.map((current) => current.name),
  );
}

function noStream(call: ServerCall): never {
  throw new Error(`${call.method.path} has one response; it has no response stream`);
}

function asAsyncIterable(value: unknown, method: MethodDescriptor): AsyncIterable<unknown> {
  if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) return value as AsyncIterable<unknown>;
  throw new TypeError(
    `the handler of ${method.path} (${method.mode}) must return an async iterable; write it as an async generator (async *method() { yield … })`,
  );
}

function unimplemented(method: MethodDescriptor): BoundHandler {
  return () => {
    throw new RpcError(Status.UNIMPLEMENTED, `${method.path} is not implemented by this server`);
  };
}

function toServiceError(status: StatusObject): StatusObject & Error {
  return Object.assign(new Error(status.details), status);
}
