import { setTimeout as sleepFor } from 'node:timers/promises';
import { type ClientTransport, Status } from '@wirekit/core';
import { type RetryPolicy, retryingCall } from './retrying-call.js';

/** Options of `retry`. */
export interface RetryOptions {
  /** Attempts in all, the first one included. Default: 3. */
  readonly maxAttempts?: number;
  /** The cap of the first backoff; each retry waits a random time from 0 to the cap. Default: 100 ms. */
  readonly initialBackoffMs?: number;
  /** The largest cap the backoff grows to. Default: 5 s. */
  readonly maxBackoffMs?: number;
  /** How much the cap grows after each retry. Default: 2. */
  readonly multiplier?: number;
  /**
   * Statuses worth another attempt. Default: UNAVAILABLE. RESOURCE_EXHAUSTED is also retried, without being
   * listed, when the server said when to come back (a `RetryInfo` detail).
   */
  readonly retryableCodes?: readonly Status[];
  /**
   * How many bytes of a request stream are kept to replay it on a retry; a longer stream is sent once and not
   * retried. Default: 256 KiB, gRPC's per-call retry buffer.
   */
  readonly bufferLimitBytes?: number;
  /** Full method paths to treat as idempotent, for rpcs whose proto does not say so. */
  readonly idempotentMethods?: readonly string[];
  /** A request header that makes any call retryable: the server dedupes by it. Default: `idempotency-key`. */
  readonly idempotencyKeyHeader?: string;
  /** A number in [0, 1), for the jitter. Default: `Math.random`. */
  readonly random?: () => number;
  /** Waits between attempts; must reject when `signal` aborts. Tests pass one that records the delays. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * Retries failed calls on the client, following gRFC A6: exponential backoff with full jitter, the server's
 * `RetryInfo` delay and `grpc-retry-pushback-ms` trailer honoured (a negative or malformed pushback stops the
 * retries), and never past the call's deadline. Only calls that may safely run twice are retried: rpcs marked
 * `idempotency_level` IDEMPOTENT or NO_SIDE_EFFECTS, those listed in `idempotentMethods`, and calls carrying an
 * idempotency key. A call is retried only until an attempt handed the caller something (the headers its
 * `onHeader` asked for, or a message of a response stream; a unary response is held until its attempt ends OK),
 * and client and bidi streams only while their requests fit in `bufferLimitBytes`. The caller's `onTrailer` sees
 * the trailers of the last attempt only.
 *
 * `retry` wraps a transport, beneath the client's middleware, where gRFC A6 puts retries: middleware sees one
 * call, and each attempt goes out afresh on the channel (core's chain lets a middleware call `next` once).
 *
 * @example
 * const withRetry = retry({ maxAttempts: 4, idempotentMethods: ['/payments.v1.PaymentService/GetPayment'] });
 * const payments = createClient(PaymentService, withRetry(createChannel('payments.internal:50051')));
 */
export function retry(options: RetryOptions = {}): (transport: ClientTransport) => ClientTransport {
  const {
    maxAttempts = 3,
    initialBackoffMs = 100,
    maxBackoffMs = 5_000,
    multiplier = 2,
    retryableCodes = [Status.UNAVAILABLE],
    bufferLimitBytes = 256 * 1024,
    idempotentMethods = [],
    idempotencyKeyHeader = 'idempotency-key',
    random = Math.random,
    sleep = (ms: number, signal: AbortSignal | undefined) => sleepFor(ms, undefined, { signal }),
  } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`retry: maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
  for (const [name, value] of Object.entries({ initialBackoffMs, maxBackoffMs, bufferLimitBytes })) {
    if (!(value >= 0)) throw new RangeError(`retry: ${name} must be ≥ 0, got ${value}`);
  }
  if (!(multiplier >= 1)) throw new RangeError(`retry: multiplier must be ≥ 1, got ${multiplier}`);
  const policy: RetryPolicy = {
    maxAttempts,
    initialBackoffMs,
    maxBackoffMs,
    multiplier,
    retryableCodes: new Set(retryableCodes),
    bufferLimitBytes,
    idempotentMethods: new Set(idempotentMethods),
    idempotencyKeyHeader: idempotencyKeyHeader.toLowerCase(),
    random,
    sleep,
  };
  return function withRetry(transport: ClientTransport): ClientTransport {
    return {
      call(method) {
        const attempt = transport.call(method);
        // Measured as encoded, like gRPC's retry buffer; only until the budget is spent, so at most
        // `bufferLimitBytes` per call is encoded twice.
        const measure = (message: unknown): number => method.requestCodec.encode(message).byteLength;
        return (call) => retryingCall(call, attempt, policy, measure);
      },
      close: () => transport.close(),
    };
  };
}
