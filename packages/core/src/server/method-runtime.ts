import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  StatusObject,
} from '@grpc/grpc-js';
import type { MethodDescriptor } from '../call-context.js';
import type { AnyMethodDefinition } from '../definition.js';
import { describeMethod } from '../describe-method.js';
import type { Logger } from '../logger.js';
import { composeMiddleware } from '../middleware/compose.js';
import type { ServerCall, ServerMiddleware, ServerNext } from '../middleware/server-middleware.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import type { CallTracker } from './call-tracker.js';
import { errorToStatus, okStatus } from './error-status.js';
import { decodeRequest, readRequests } from './request-stream.js';
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
    const bytes = definition.responseCodec.encode(message);
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

  const single = async (context: ServerCallContext, call: ServerCall): Promise<Buffer> => {
    const response = await produce.single(call);
    if (!context.headerSent && context.header.size > 0) context.sendHeader();
    return encode(response);
  };

  const stream = async (context: ServerCallContext, call: ServerCall, writable: Writable): Promise<void> => {
    for await (const response of produce.stream(call)) {
      context.signal.throwIfAborted();
      if (!context.headerSent && context.header.size > 0) context.sendHeader();
      if (!writable.write(encode(response))) {
        // Backpressure: the client reads slowly, so the producer waits here instead of buffering.
        await once(writable, 'drain', { signal: context.signal }).catch(() => context.signal.throwIfAborted());
      }
    }
  };

  const failStream = (writable: Writable, status: StatusObject): void => {
    writable.emit('error', status);
  };

  switch (definition.mode) {
    case 'unary':
      return {
        type: 'unary',
        func: (call: ServerUnaryCall<Buffer, Buffer>, callback) => {
          const context = start(call);
          const run = async (): Promise<Buffer> =>
            single(context, singleRequestCall(descriptor, context, decodeRequest(definition.requestCodec, call.request)));
          run().then(
            (bytes) => {
              callback(null, bytes, okStatus(context).metadata);
              finish(context);
            },
            (error: unknown) => {
              callback(toServiceError(errorToStatus(error, context, runtime.logger)));
              finish(context);
            },
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
          single(context, streamRequestCall(descriptor, context, requests)).then(
            (bytes) => {
              callback(null, bytes, okStatus(context).metadata);
              finish(context);
            },
            (error: unknown) => {
              callback(toServiceError(errorToStatus(error, context, runtime.logger)));
              finish(context);
            },
          );
        },
      };
    case 'server_streaming':
      return {
        type: 'serverStream',
        func: (call: ServerWritableStream<Buffer, Buffer>) => {
          const context = start(call);
          const run = async (): Promise<void> =>
            stream(context, singleRequestCall(descriptor, context, decodeRequest(definition.requestCodec, call.request)), call);
          run().then(
            () => {
              call.end(okStatus(context).metadata);
              finish(context);
            },
            (error: unknown) => {
              failStream(call, errorToStatus(error, context, runtime.logger));
              finish(context);
            },
          );
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
          stream(context, streamRequestCall(descriptor, context, requests), call).then(
            () => {
              call.end(okStatus(context).metadata);
              finish(context);
            },
            (error: unknown) => {
              failStream(call, errorToStatus(error, context, runtime.logger));
              finish(context);
            },
          );
        },
      };
  }
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
  /** The one response of a unary or client-streaming call. */
  single(call: ServerCall): Promise<unknown>;
  /** The responses of a server-streaming or bidi call. */
  stream(call: ServerCall): AsyncIterable<unknown>;
}

function responseProducer(binding: MethodBinding, method: MethodDescriptor): ResponseProducer {
  const invoke = binding.handler ?? unimplemented(method);
  const input = (call: ServerCall): unknown => (call.requestStream ? call.requests : call.request);

  if (binding.middleware.length === 0) {
    // The fast path: no generator between grpc-js and the handler.
    return {
      single: async (call) => invoke(input(call), call.context as ServerCallContext),
      stream: (call) => asAsyncIterable(invoke(input(call), call.context as ServerCallContext), method),
    };
  }

  const innermost: ServerNext = method.responseStream
    ? async function* handler(call) {
        yield* asAsyncIterable(invoke(input(call), call.context as ServerCallContext), method);
      }
    : async function* handler(call) {
        yield await invoke(input(call), call.context as ServerCallContext);
      };
  const chain = composeMiddleware<ServerCall, unknown>(binding.middleware as readonly ServerStep[], innermost);
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
