import { type ErrorDetail, type ErrorDetailOf, isKnownErrorDetailType, isUnknownErrorDetail } from './error-details.js';
import { Metadata, type MetadataInit } from './metadata.js';
import { Status, statusName } from './status.js';

/** What `new RpcError(code, message, options)` accepts besides the code and message. */
export interface RpcErrorOptions {
  /** Trailers to send with the error (on the server), or the trailers received with it (on the client). */
  readonly metadata?: MetadataInit;
  /** Rich details, sent in the `grpc-status-details-bin` trailer. */
  readonly details?: readonly ErrorDetail[];
  /** What caused the error; kept for logs, never sent to the peer. */
  readonly cause?: unknown;
}

// `Symbol.for` so that two copies of @wirekit/core in one process (say, two versions in node_modules)
// recognise each other's errors, which `instanceof` cannot.
const BRAND = Symbol.for('wirekit.RpcError');

// The message a client sees for an error the server did not mean to send; the original may hold secrets.
const GENERIC_MESSAGE = 'Internal server error';

/**
 * The one error of Wirekit: a gRPC status code, the message sent on the wire, trailers and rich details.
 * Throw it from a handler to answer with that status; a client call rejects with it.
 *
 * `message` is `[CODE] rawMessage`, for readable logs; `rawMessage` is what travels on the wire.
 *
 * @example
 * throw new RpcError(Status.NOT_FOUND, `payment ${id} does not exist`, {
 *   details: [errorInfo('PAYMENT_NOT_FOUND', 'payments.example.com', { id })],
 * });
 */
export class RpcError extends Error {
  static {
    // On the prototype rather than on each instance, so they stay out of `util.inspect` and JSON output.
    Object.defineProperty(RpcError.prototype, 'name', { value: 'RpcError', writable: true, configurable: true });
    Object.defineProperty(RpcError.prototype, BRAND, { value: true });
  }

  /** The gRPC status code. */
  readonly code: Status;
  /** The message as sent on the wire, without the `[CODE]` prefix of `message`. */
  readonly rawMessage: string;
  /** Trailers to send with the error, or received with it. */
  readonly metadata: Metadata;
  readonly details: readonly ErrorDetail[];

  constructor(code: Status, message: string, options: RpcErrorOptions = {}) {
    const { metadata, details = [], cause } = options;
    super(message === '' ? `[${statusName(code)}]` : `[${statusName(code)}] ${message}`, cause === undefined ? undefined : { cause });
    this.code = code;
    this.rawMessage = message;
    // A copy, so that adding trailers to the error never changes the caller's `Metadata`.
    this.metadata = new Metadata(metadata);
    this.details = Object.freeze([...details]);
  }

  /**
   * Whether `value` is an `RpcError`, including one made by another copy of this package, which
   * `instanceof` would miss.
   */
  static is(value: unknown): value is RpcError {
    return (
      value instanceof RpcError ||
      (typeof value === 'object' && value !== null && (value as { readonly [BRAND]?: unknown })[BRAND] === true)
    );
  }

  /**
   * Converts anything thrown into an `RpcError`.
   *
   * - an `RpcError` is returned as it is;
   * - an abort reason maps by its name: `TimeoutError` to `DEADLINE_EXCEEDED`, `AbortError` to `CANCELLED`;
   * - anything else becomes `fallbackCode` with the generic message "Internal server error": its own message
   *   may hold secrets, so it is kept only as `cause`, for logs.
   *
   * A `@grpc/grpc-js` `ServiceError` counts as "anything else": the client adapter converts those itself, and
   * passing an upstream's code and message on to our caller would leak them.
   *
   * @example
   * try { await handler(request, ctx); } catch (error: unknown) { const rpcError = RpcError.from(error); log(rpcError.cause); }
   */
  static from(reason: unknown, fallbackCode: Status = Status.INTERNAL): RpcError {
    if (RpcError.is(reason)) return reason;
    if (reason instanceof Error) {
      // DOMException is an Error in Node; both name the abort kind in `name`, as `AbortSignal.reason` does.
      if (reason.name === 'TimeoutError') return new RpcError(Status.DEADLINE_EXCEEDED, 'Deadline exceeded', { cause: reason });
      if (reason.name === 'AbortError') return new RpcError(Status.CANCELLED, 'Call cancelled', { cause: reason });
    }
    return new RpcError(fallbackCode, GENERIC_MESSAGE, { cause: reason });
  }

  /**
   * The details of one type, typed by it.
   *
   * @example
   * for (const violation of error.findDetails('google.rpc.BadRequest').flatMap((d) => d.fieldViolations)) { ... }
   */
  findDetails<T extends ErrorDetail['type']>(type: T): ErrorDetailOf<T>[] {
    // A raw detail that happens to carry a standard name lacks the standard shape, so it never matches one.
    const wantRaw = !isKnownErrorDetailType(type);
    return this.details.filter((detail): detail is ErrorDetailOf<T> => detail.type === type && isUnknownErrorDetail(detail) === wantRaw);
  }
}
