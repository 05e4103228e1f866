import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { type CallOptions as GrpcCallOptions, type Client as GrpcClient, Metadata as GrpcMetadata, type StatusObject } from '@grpc/grpc-js';
import type { AnyMethodDefinition } from '../definition.js';
import { fromGrpcMetadata, toGrpcMetadata } from '../grpc-metadata.js';
import { Metadata } from '../metadata.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { type CallOptions, effectiveDeadline } from './call-options.js';
import type { ClientCall, ClientNext } from './client-middleware.js';
import { decodeResponse, encodeRequest } from './message-bytes.js';
import { HIDDEN_TRAILERS, isGrpcStatus, statusToError } from './status-error.js';

/** The events every grpc-js client call has. */
interface GrpcClientCall {
  cancel(): void;
  on(event: 'metadata', listener: (metadata: GrpcMetadata) => void): unknown;
  on(event: 'status', listener: (status: StatusObject) => void): unknown;
}

/**
 * The innermost step of a client chain: sends the call over the channel. Messages are encoded and decoded
 * here (grpc-js only moves bytes), so a bad message becomes an error that names the field.
 */
export function networkCall(transport: GrpcClient, definition: AnyMethodDefinition): ClientNext {
  const { path } = definition;
  const encode = (message: unknown): Buffer => encodeRequest(definition, message);
  const decode = (bytes: Buffer): unknown => decodeResponse(definition, bytes);

  switch (definition.mode) {
    case 'unary':
      return async function* unary(call: ClientCall) {
        const bytes = encode(singleRequest(call));
        const { metadata, options, signal } = prepare(call.options);
        const response = await new Promise<Buffer>((resolve, reject) => {
          const grpcCall = transport.makeUnaryRequest<Buffer, Buffer>(
            path,
            passBytes,
            passBytes,
            bytes,
            metadata,
            options,
            (error, value) => (error || value === undefined ? reject(toRpcError(error, signal)) : resolve(value)),
          );
          observe(grpcCall, call.options, signal);
        });
        yield decode(response);
      };
    case 'server_streaming':
      return async function* serverStreaming(call: ClientCall) {
        const bytes = encode(singleRequest(call));
        const { metadata, options, signal } = prepare(call.options);
        const stream = transport.makeServerStreamRequest<Buffer, Buffer>(path, passBytes, passBytes, bytes, metadata, options);
        const release = observe(stream, call.options, signal);
        yield* readResponses(stream, stream, decode, signal, release);
      };
    case 'client_streaming':
      return async function* clientStreaming(call: ClientCall) {
        const { metadata, options, signal } = prepare(call.options);
        const response = await new Promise<Buffer>((resolve, reject) => {
          let settled = false;
          const settle = (outcome: () => void): void => {
            if (settled) return;
            settled = true;
            outcome();
          };
          const writable = transport.makeClientStreamRequest<Buffer, Buffer>(
            path,
            passBytes,
            passBytes,
            metadata,
            options,
            (error, value) => settle(() => (error || value === undefined ? reject(toRpcError(error, signal)) : resolve(value))),
          );
          const finished = observe(writable, call.options, signal);
          writeRequests(streamRequests(call), writable, encode, finished).catch((sourceError: unknown) => {
            settle(() => reject(sourceError));
            writable.cancel();
          });
        });
        yield decode(response);
      };
    case 'bidi_streaming':
      return async function* bidiStreaming(call: ClientCall) {
        const { metadata, options, signal } = prepare(call.options);
        const duplex = transport.makeBidiStreamRequest<Buffer, Buffer>(path, passBytes, passBytes, metadata, options);
        const release = observe(duplex, call.options, signal);
        let sourceFailure: { error: unknown } | undefined;
        writeRequests(streamRequests(call), duplex, encode, release).catch((sourceError: unknown) => {
          sourceFailure = { error: sourceError };
          duplex.cancel();
        });
        try {
          yield* readResponses(duplex, duplex, decode, signal, release);
        } catch (error: unknown) {
          // When the request stream failed, that failure, not the CANCELLED it caused, is what the caller needs.
          throw sourceFailure ? sourceFailure.error : error;
        }
      };
  }
}

function singleRequest(call: ClientCall): unknown {
  if (call.requestStream) throw new TypeError(`${call.method.path} takes one request message, but a middleware passed a stream`);
  return call.request;
}

function streamRequests(call: ClientCall): AsyncIterable<unknown> {
  if (!call.requestStream) throw new TypeError(`${call.method.path} takes a stream of requests, but a middleware passed one message`);
  return call.requests;
}

function prepare(callOptions: CallOptions): { metadata: GrpcMetadata; options: GrpcCallOptions; signal: AbortSignal | undefined } {
  const deadline = effectiveDeadline(callOptions);
  const metadata = callOptions.metadata === undefined ? new GrpcMetadata() : toGrpcMetadata(new Metadata(callOptions.metadata));
  const options: GrpcCallOptions = deadline === undefined ? {} : { deadline };
  const { signal } = callOptions;
  if (signal?.aborted) throw new RpcError(Status.CANCELLED, 'the call was cancelled before it started', { cause: signal.reason });
  return { metadata, options, signal };
}

/**
 * Wires headers, trailers and cancellation of one grpc-js call; returns a promise that settles when the call's
 * status arrives (used to stop waiting for `drain` on a call that is over).
 */
function observe(grpcCall: GrpcClientCall, callOptions: CallOptions, signal: AbortSignal | undefined): Promise<void> {
  const { onHeader, onTrailer } = callOptions;
  if (onHeader) grpcCall.on('metadata', (metadata) => onHeader(fromGrpcMetadata(metadata)));
  const cancel = (): void => grpcCall.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  return new Promise<void>((resolve) => {
    grpcCall.on('status', (status) => {
      signal?.removeEventListener('abort', cancel);
      if (onTrailer) onTrailer(fromGrpcMetadata(status.metadata, HIDDEN_TRAILERS));
      resolve();
    });
  });
}

async function* readResponses(
  readable: Readable,
  grpcCall: GrpcClientCall,
  decode: (bytes: Buffer) => unknown,
  signal: AbortSignal | undefined,
  finished: Promise<void>,
): AsyncGenerator<unknown, void, undefined> {
  let done = false;
  try {
    for await (const chunk of readable) yield decode(chunk as Buffer);
    done = true;
    // The readable side can end a moment before the status event; trailers are delivered before we return.
    await finished;
  } catch (error: unknown) {
    done = true;
    throw toRpcError(error, signal);
  } finally {
    // The consumer stopped early: cancel so the server's handler sees it and stops producing.
    if (!done) grpcCall.cancel();
  }
}

async function writeRequests(
  requests: AsyncIterable<unknown>,
  writable: Writable,
  encode: (message: unknown) => Buffer,
  finished: Promise<void>,
): Promise<void> {
  let over = false;
  void finished.then(() => {
    over = true;
  });
  for await (const message of requests) {
    if (over) return;
    if (!writable.write(encode(message))) {
      // Backpressure: wait until the transport takes more, unless the call ends first.
      await Promise.race([once(writable, 'drain'), finished]);
    }
  }
  if (!over) writable.end();
}

/** Turns whatever a grpc-js call failed with into an `RpcError`; a cancellation by the caller's signal says so. */
export function toRpcError(error: unknown, signal: AbortSignal | undefined): RpcError {
  if (RpcError.is(error)) return error;
  if (isGrpcStatus(error)) {
    if (error.code === Status.CANCELLED && signal?.aborted) {
      return new RpcError(Status.CANCELLED, 'the call was cancelled by its AbortSignal', { cause: signal.reason });
    }
    return statusToError(error, error);
  }
  return RpcError.from(error);
}

function passBytes(bytes: Buffer): Buffer {
  return bytes;
}
