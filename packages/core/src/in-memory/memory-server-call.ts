import { Duplex } from 'node:stream';
import { Metadata as GrpcMetadata, type StatusObject } from '@grpc/grpc-js';
import { Status } from '../status.js';
import { sentTooLarge } from './size-limit-messages.js';

/** What the client side of an in-memory call hears from the server side. */
export interface ServerCallListener {
  onHeader(metadata: GrpcMetadata): void;
  /** A response message; `consumed` is called when the client took it, which is how backpressure works. */
  onMessage(bytes: Buffer, consumed: () => void): void;
  onStatus(status: StatusObject): void;
}

/** How many messages each direction buffers before the writer waits, like an HTTP/2 stream window. */
const WINDOW_MESSAGES = 16;

/**
 * The server side of one in-memory call, shaped like the grpc-js call objects the method runtime handles
 * (request, metadata, deadline, readable requests, writable responses, `cancelled`), so an in-memory call runs
 * exactly the server code a network call runs. Only HTTP/2 framing is left out.
 */
export class MemoryServerCall extends Duplex {
  readonly metadata: GrpcMetadata;
  /** The request of a unary or server-streaming call. */
  readonly request: Buffer | undefined;
  cancelled = false;
  readonly #deadline: number;
  readonly #listener: ServerCallListener;
  readonly #maxSendBytes: number;
  #headerSent = false;
  #statusSent = false;
  // Trailers come from `end(trailers)` unless a failed status brought its own, as in grpc-js's stream calls.
  #pendingStatus: Omit<StatusObject, 'metadata'> & { readonly metadata?: GrpcMetadata | null } = { code: Status.OK, details: 'OK' };
  #trailers: GrpcMetadata | undefined;
  #pullWaiters: (() => void)[] = [];
  // The callback of the response the client has not taken yet: the stream writes one message at a time.
  #pendingWrite: (() => void) | undefined;

  constructor(options: {
    readonly metadata: GrpcMetadata;
    readonly deadline: number;
    readonly request?: Buffer;
    readonly listener: ServerCallListener;
    readonly maxSendBytes: number;
  }) {
    super({ objectMode: true, readableHighWaterMark: WINDOW_MESSAGES, writableHighWaterMark: WINDOW_MESSAGES });
    this.metadata = options.metadata;
    this.request = options.request;
    this.#deadline = options.deadline;
    this.#listener = options.listener;
    this.#maxSendBytes = options.maxSendBytes;
    // The method runtime ends a failed stream by emitting its status as an 'error' event, as grpc-js expects.
    this.on('error', (status: StatusObject) => {
      this.#pendingStatus = status;
      this.end();
    });
  }

  getPeer(): string {
    return 'in-memory';
  }

  getDeadline(): number {
    return this.#deadline;
  }

  getAuthContext(): Record<string, never> {
    return {};
  }

  sendMetadata(metadata: GrpcMetadata): void {
    if (this.#headerSent || this.cancelled) return;
    this.#headerSent = true;
    this.#listener.onHeader(asResponseHead(metadata));
  }

  /** Hands the client's next request to the server; false when the window is full (wait for `whenPulled`). */
  pushRequest(bytes: Buffer): boolean {
    return this.push(bytes);
  }

  /** The client closed its side of the stream. */
  endRequests(): void {
    this.push(null);
  }

  /** Resolves when the handler reads again after `pushRequest` returned false. */
  whenPulled(): Promise<void> {
    return new Promise((resolve) => this.#pullWaiters.push(resolve));
  }

  /** The client cancelled, or the deadline passed: the handler's signal fires, later output is dropped. */
  cancel(cause: 'cancelled' | 'deadline' = 'cancelled'): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emit('cancelled', cause);
    for (const waiter of this.#pullWaiters.splice(0)) waiter();
    // A response the client will never take (it cancelled, or it refused the message as too large) is done
    // with, so the stream does not wait on it for ever.
    this.#releaseWrite();
  }

  /** The unary and client-streaming reply, as grpc-js's handler callback takes it. */
  readonly respond = (error: (Partial<StatusObject> & Error) | null, value?: Buffer, trailers?: GrpcMetadata): void => {
    if (error) {
      this.#sendStatus({
        code: error.code ?? Status.UNKNOWN,
        details: error.details ?? error.message,
        metadata: error.metadata ?? new GrpcMetadata(),
      });
      return;
    }
    const bytes = value ?? Buffer.alloc(0);
    if (this.#tooLarge(bytes)) return;
    this.#ensureHeader();
    if (!this.cancelled) this.#listener.onMessage(bytes, () => {});
    this.#sendStatus({ code: Status.OK, details: 'OK', metadata: trailers ?? new GrpcMetadata() });
  };

  override _read(): void {
    for (const waiter of this.#pullWaiters.splice(0)) waiter();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.cancelled || this.#statusSent) {
      callback();
      return;
    }
    if (this.#tooLarge(chunk)) {
      callback();
      return;
    }
    this.#ensureHeader();
    this.#pendingWrite = callback;
    this.#listener.onMessage(chunk, () => this.#releaseWrite());
  }

  #releaseWrite(): void {
    const callback = this.#pendingWrite;
    this.#pendingWrite = undefined;
    callback?.();
  }

  override end(trailers?: unknown): this {
    if (trailers instanceof GrpcMetadata) this.#trailers = trailers;
    return super.end();
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
    this.#sendStatus({ ...this.#pendingStatus, metadata: this.#pendingStatus.metadata ?? this.#trailers ?? new GrpcMetadata() });
  }

  #tooLarge(bytes: Buffer): boolean {
    if (this.#maxSendBytes < 0 || bytes.byteLength <= this.#maxSendBytes) return false;
    this.#sendStatus({
      code: Status.RESOURCE_EXHAUSTED,
      details: sentTooLarge(bytes.byteLength, this.#maxSendBytes),
      metadata: new GrpcMetadata(),
    });
    // The status ended the stream under a handler still running: grpc-js reports the closed stream as 'cancelled'
    // on the next tick, which fires the handler's signal, so do the same. (grpc-js reports it after every status,
    // but when the handler's own status ended the call the call context has stopped listening: skipping it there
    // keeps a closure and an event off every in-memory call.)
    process.nextTick(() => this.cancel());
    return true;
  }

  #ensureHeader(): void {
    if (!this.#headerSent) this.sendMetadata(new GrpcMetadata());
  }

  #sendStatus(status: StatusObject): void {
    if (this.#statusSent) return;
    this.#statusSent = true;
    // With no header sent, the status goes alone in the response's one HEADERS frame (a trailers-only response).
    const trailers = this.#headerSent ? asOnTheWire(status.metadata) : asResponseHead(status.metadata);
    if (!this.cancelled) this.#listener.onStatus({ ...status, metadata: trailers });
  }
}

/**
 * The first HEADERS frame of a response as a grpc-js client hands it over: grpc-js's server puts the gRPC content
 * type before the application's headers and Node's HTTP/2 adds `date` after them (unless the application set
 * either), so headers in memory have the keys headers over the network have.
 */
function asResponseHead(metadata: GrpcMetadata): GrpcMetadata {
  const head = new GrpcMetadata();
  if (metadata.get('content-type').length === 0) head.set('content-type', 'application/grpc+proto');
  asOnTheWire(metadata, head);
  if (head.get('date').length === 0) head.set('date', new Date().toUTCString());
  return head;
}

/**
 * Metadata as HTTP/2 delivers it: repeated text values of one key arrive joined with ", " (binary values are
 * split again by grpc-js), so in-memory calls see what network calls see. Added to `result` when given.
 */
export function asOnTheWire(metadata: GrpcMetadata, result = new GrpcMetadata()): GrpcMetadata {
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    if (key.endsWith('-bin') || values.length < 2) for (const value of values) result.add(key, value);
    else result.add(key, values.join(', '));
  }
  return result;
}
