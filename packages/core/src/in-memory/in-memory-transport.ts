import { type ChannelOptions, Metadata as GrpcMetadata } from '@grpc/grpc-js';
import { effectiveDeadline } from '../client/call-options.js';
import type { ClientCall, ClientNext } from '../client/client-middleware.js';
import type { ClientTransport } from '../client/client-transport.js';
import { decodeResponse, encodeRequest } from '../client/message-bytes.js';
import { HIDDEN_TRAILERS, statusToError } from '../client/status-error.js';
import type { AnyMethodDefinition } from '../definition.js';
import { fromGrpcMetadata, toGrpcMetadata } from '../grpc-metadata.js';
import { Metadata, type MetadataInit } from '../metadata.js';
import { RpcError } from '../rpc-error.js';
import type { GrpcHandler } from '../server/method-runtime.js';
import { Status } from '../status.js';
import { asOnTheWire, MemoryServerCall } from './memory-server-call.js';
import { ResponseQueue } from './response-queue.js';
import { receivedTooLarge, requestTooLarge } from './size-limit-messages.js';
import { grpcUserAgent } from './user-agent.js';

/** grpc-js's default limit on received messages (4 MiB), kept so in-memory calls fail where network calls do. */
const DEFAULT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** What an app offers its in-memory clients. */
export interface InMemoryServer {
  /** The handler of a method path, as the app built it for its grpc-js server. */
  handler(path: string): GrpcHandler | undefined;
  /** False once the app is shutting down: new calls are refused with UNAVAILABLE. */
  accepting(): boolean;
  readonly maxReceiveMessageBytes: number | undefined;
  readonly maxSendMessageBytes: number | undefined;
}

/** Limits of the in-memory client, as a channel has them. */
export interface InMemoryClientOptions {
  readonly maxReceiveMessageBytes?: number;
  readonly maxSendMessageBytes?: number;
  /**
   * Raw grpc-js channel options, as a network client takes them: in memory only `grpc.primary_user_agent` and
   * `grpc.secondary_user_agent` mean something, and go into the `user-agent` the handler reads.
   */
  readonly grpcOptions?: ChannelOptions;
}

/**
 * A client transport to an app in the same process, with no socket and no HTTP/2: requests and responses are
 * encoded and decoded with the real codecs, and the server side runs the app's own method runtime (middleware,
 * context, metadata, trailers, statuses with rich details, deadlines, cancellation, size limits, backpressure).
 */
export class InMemoryTransport implements ClientTransport {
  readonly #server: InMemoryServer;
  readonly #options: InMemoryClientOptions;
  readonly #open = new Set<MemoryServerCall>();
  readonly #userAgent: string;
  #closed = false;

  constructor(server: InMemoryServer, options: InMemoryClientOptions = {}) {
    this.#server = server;
    this.#options = options;
    this.#userAgent = grpcUserAgent(options.grpcOptions);
  }

  /** Another transport to the same app, with other client limits (a client's channel settings, in memory). */
  withOptions(options: InMemoryClientOptions): InMemoryTransport {
    return new InMemoryTransport(this.#server, options);
  }

  call(definition: AnyMethodDefinition): ClientNext {
    return (call) => this.#run(definition, call);
  }

  /** Cancels calls still open; later calls fail with UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    for (const serverCall of this.#open) serverCall.cancel();
  }

  async *#run(definition: AnyMethodDefinition, call: ClientCall): AsyncGenerator<unknown, void, undefined> {
    const { options } = call;
    const { signal } = options;
    if (signal?.aborted) throw new RpcError(Status.CANCELLED, 'the call was cancelled before it started', { cause: signal.reason });
    if (this.#closed || !this.#server.accepting()) {
      throw new RpcError(Status.UNAVAILABLE, this.#closed ? 'the in-memory transport is closed' : 'the server is shutting down');
    }
    const handler = this.#server.handler(definition.path);
    if (!handler) throw new RpcError(Status.UNIMPLEMENTED, `The server does not implement the method ${definition.path}`);

    const request = call.requestStream ? undefined : this.#requestBytes(definition, call.request);
    const deadline = effectiveDeadline(options) ?? Number.POSITIVE_INFINITY;
    const responses = new ResponseQueue();
    const maxReceive = this.#options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
    const serverCall: MemoryServerCall = new MemoryServerCall({
      metadata: this.#requestMetadata(options.metadata),
      deadline,
      ...(request ? { request } : {}),
      maxSendBytes: this.#server.maxSendMessageBytes ?? -1,
      listener: {
        onHeader: (metadata) => options.onHeader?.(fromGrpcMetadata(metadata)),
        onMessage: (bytes, consumed) => {
          if (bytes.byteLength > maxReceive) {
            end(new RpcError(Status.RESOURCE_EXHAUSTED, receivedTooLarge(bytes.byteLength, maxReceive)), true);
            return;
          }
          responses.push(bytes, consumed);
        },
        onStatus: (status) => {
          options.onTrailer?.(fromGrpcMetadata(status.metadata, HIDDEN_TRAILERS));
          if (status.code === Status.OK) responses.end();
          else responses.fail(statusToError(status), false);
          release();
        },
      },
    });

    // A local end (cancel, deadline, a failed request stream, a limit) cancels the server side too.
    const end = (error: unknown, cancelServer: boolean): void => {
      responses.fail(error, true);
      if (cancelServer) serverCall.cancel(RpcError.is(error) && error.code === Status.DEADLINE_EXCEEDED ? 'deadline' : 'cancelled');
      release();
    };
    const onAbort = (): void =>
      end(new RpcError(Status.CANCELLED, 'the call was cancelled by its AbortSignal', { cause: signal?.reason }), true);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(deadline)
      ? setTimeout(() => end(new RpcError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded'), true), Math.max(0, deadline - Date.now()))
      : undefined;
    const release = (): void => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      this.#open.delete(serverCall);
    };
    this.#open.add(serverCall);

    start(handler, serverCall);
    if (call.requestStream) {
      this.#sendRequests(definition, call.requests, serverCall, responses).catch((error: unknown) => end(error, true));
    }

    let finished = false;
    try {
      for await (const bytes of responses) yield decodeResponse(definition, bytes);
      finished = true;
    } finally {
      // The consumer stopped reading early: like a network client, cancel so the handler stops producing.
      if (!finished && !responses.settled) end(new RpcError(Status.CANCELLED, 'the client stopped reading'), true);
    }
  }

  /** The request headers a grpc-js server hands its handler: the caller's metadata, and the channel's user-agent. */
  #requestMetadata(metadata: MetadataInit | undefined): GrpcMetadata {
    const headers = metadata === undefined ? new GrpcMetadata() : asOnTheWire(toGrpcMetadata(new Metadata(metadata)));
    // grpc-js's transport writes its own user-agent over any the caller set.
    headers.set('user-agent', this.#userAgent);
    return headers;
  }

  #requestBytes(definition: AnyMethodDefinition, message: unknown): Buffer {
    const bytes = encodeRequest(definition, message);
    const limit = this.#requestLimit();
    if (bytes.byteLength > limit.bytes) throw new RpcError(Status.RESOURCE_EXHAUSTED, limit.message(bytes.byteLength));
    return bytes;
  }

  #requestLimit(): { bytes: number; message: (size: number) => string } {
    const clientSend = this.#options.maxSendMessageBytes ?? Number.POSITIVE_INFINITY;
    const serverReceive = this.#server.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_BYTES;
    return clientSend < serverReceive
      ? { bytes: clientSend, message: () => requestTooLarge(clientSend) }
      : { bytes: serverReceive, message: (size) => receivedTooLarge(size, serverReceive) };
  }

  async #sendRequests(
    definition: AnyMethodDefinition,
    requests: AsyncIterable<unknown>,
    serverCall: MemoryServerCall,
    responses: ResponseQueue,
  ): Promise<void> {
    for await (const message of requests) {
      if (responses.settled || serverCall.cancelled) return;
      if (!serverCall.pushRequest(this.#requestBytes(definition, message))) {
        // Backpressure: the handler has not read the window yet.
        await serverCall.whenPulled();
      }
    }
    if (!responses.settled && !serverCall.cancelled) serverCall.endRequests();
  }
}

function start(handler: GrpcHandler, serverCall: MemoryServerCall): void {
  // The grpc-js handler signatures, satisfied by the in-memory call object (see MemoryServerCall).
  const call = serverCall as never;
  switch (handler.type) {
    case 'unary':
      handler.func(call, serverCall.respond as never);
      return;
    case 'clientStream':
      handler.func(call, serverCall.respond as never);
      return;
    case 'serverStream':
    case 'bidi':
      handler.func(call);
      return;
  }
}
