import type { PeerCertificate } from 'node:tls';
import type { ContextKey } from './context-key.js';
import type { RpcMode } from './definition.js';
import type { Metadata, MetadataInit } from './metadata.js';
import type { JsonValue } from './protos/json-value.js';
import type { RpcError } from './rpc-error.js';

/** What a call is: enough to route, log and label it, and to show its messages, without the codecs. */
export interface MethodDescriptor {
  /** `/payments.v1.PaymentService/Charge` */
  readonly path: string;
  /** `payments.v1.PaymentService` */
  readonly service: string;
  /** `Charge` */
  readonly name: string;
  readonly mode: RpcMode;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly idempotency: 'unknown' | 'idempotent' | 'no_side_effects';
  /** Settings decorators put on the rpc for middleware; read them with `readMethodOption`. */
  readonly options: ReadonlyMap<symbol, unknown>;
  /**
   * A request message in the canonical proto3 JSON mapping (`MessageCodec.toJson` of the request type): 64-bit
   * integers as strings, enums by name, `Timestamp` as RFC 3339, defaults left out. For logs and debugging
   * output; the method's own codec function, so calling it allocates nothing beyond the JSON.
   *
   * @throws TypeError naming the path of a value that is not of its field's type, or that JSON cannot show.
   */
  readonly requestToJson: (message: unknown) => JsonValue;
  /** A response message in the canonical proto3 JSON mapping, as `requestToJson` does for requests. */
  readonly responseToJson: (message: unknown) => JsonValue;
}

/**
 * Everything a handler and a server middleware know about the call in progress.
 *
 * @example
 * async charge(request: ChargeRequest, ctx: CallContext) {
 *   const requestId = ctx.metadata.get('x-request-id');
 *   ctx.signal.throwIfAborted();
 *   ctx.trailer.set('x-ledger-version', '7');
 * }
 */
export interface CallContext {
  readonly method: MethodDescriptor;
  /** The request headers the client sent (custom metadata only; protocol headers are removed). */
  readonly metadata: Metadata;
  /**
   * Aborts when the client cancels or the deadline passes, before the call ends. `signal.reason` is an
   * `RpcError` whose code says which: `CANCELLED` or `DEADLINE_EXCEEDED`; throw it to end the call.
   */
  readonly signal: AbortSignal;
  /**
   * `signal.reason` without making the signal: why the call was aborted (the client cancelled, the deadline
   * passed, the server's shutdown grace ran out), or `undefined` while it was not. Cheap enough for middleware
   * that reads it at the end of every call, such as logs and metrics counting a call whose client went away as
   * CANCELLED even when its handler ignored that and returned.
   */
  readonly abortReason: RpcError | undefined;
  /** The client's deadline, or `undefined` when it set none. */
  readonly deadline: Date | undefined;
  /** The remote address, e.g. `127.0.0.1:53124` or `[::1]:53124`. */
  readonly peer: string;
  /** The client's verified certificate under mutual TLS, otherwise `undefined`. */
  readonly peerCertificate: PeerCertificate | undefined;
  /** Response headers; may be changed until they are sent (by `sendHeader` or the first response message). */
  readonly header: Metadata;
  /** Response trailers, sent with the final status (also when the call fails). */
  readonly trailer: Metadata;
  /** Sends the response headers now, adding `extra` first. A second call does nothing. */
  sendHeader(extra?: MetadataInit): void;
  /** Whether the response headers were sent. */
  readonly headerSent: boolean;
  /** Reads a per-call value set by a middleware. */
  get<T>(key: ContextKey<T>): T;
  /** Sets a per-call value for handlers and inner middleware. */
  set<T>(key: ContextKey<T>, value: T): void;
}
