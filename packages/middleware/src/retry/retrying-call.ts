import { type CallOptions, type ClientCall, type ClientNext, effectiveDeadline, Metadata, RpcError, Status } from '@wirekit/core';
import { ReplayableRequests } from './replayable-requests.js';
import { pushback, retryInfoDelayMs } from './server-delay.js';

/** The settings of `retry`, with every default filled in. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
  readonly retryableCodes: ReadonlySet<Status>;
  readonly bufferLimitBytes: number;
  readonly idempotentMethods: ReadonlySet<string>;
  readonly idempotencyKeyHeader: string;
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** The request header of gRFC A6 telling the server how many attempts came before this one. */
const PREVIOUS_ATTEMPTS_HEADER = 'grpc-previous-rpc-attempts';

/**
 * Runs one call, attempt after attempt through `attempt`, until it succeeds, fails for good, or the policy, the
 * deadline or the request buffer forbids another try. A call that may not be repeated gets one attempt.
 * An attempt that handed the caller something has committed the call (gRFC A6), and its failure is final: response
 * headers given to the caller's `onHeader`, or a message of a response stream. The one response of a unary or
 * client-streaming call is held until its attempt ends OK, so an attempt cut after its message arrived but before
 * its status (a server killed between the two writes) is retried like any other, unless the caller took its
 * headers.
 */
export async function* retryingCall<Req, Res>(
  call: ClientCall<Req>,
  attempt: ClientNext<Req, Res>,
  policy: RetryPolicy,
  measure: (message: Req) => number,
): AsyncGenerator<Res, void, undefined> {
  if (policy.maxAttempts <= 1 || !mayRepeat(call, policy)) return yield* attempt(call);
  const { signal } = call.options;
  // One deadline for the whole call: a relative timeout would otherwise start again with every attempt.
  const deadline = effectiveDeadline(call.options);
  const { timeoutMs: _relative, ...fixed } = call.options;
  const options: CallOptions = deadline === undefined ? fixed : { ...fixed, deadline };
  const requests = call.requestStream ? new ReplayableRequests(call.requests, policy.bufferLimitBytes, measure) : undefined;
  // Counts backoffs since the last delay the server chose (gRFC A6 resets the backoff after a pushback).
  let backoffs = 0;

  const delayBeforeRetry = (error: unknown, attemptsMade: number): number | undefined => {
    if (!RpcError.is(error) || signal?.aborted || attemptsMade >= policy.maxAttempts) return undefined;
    if (requests && !requests.replayable) return undefined;
    const serverDelayMs = retryInfoDelayMs(error);
    const retryable = policy.retryableCodes.has(error.code) || (error.code === Status.RESOURCE_EXHAUSTED && serverDelayMs !== undefined);
    if (!retryable) return undefined;
    const pushed = pushback(error);
    if (pushed === 'stop') return undefined;
    let delayMs: number;
    if (pushed || serverDelayMs !== undefined) {
      delayMs = Math.max(pushed?.retryAfterMs ?? 0, serverDelayMs ?? 0);
      backoffs = 0;
    } else {
      // Full jitter: anywhere from nothing to the exponential cap, so clients that failed together spread out.
      delayMs = policy.random() * Math.min(policy.initialBackoffMs * policy.multiplier ** backoffs, policy.maxBackoffMs);
      backoffs++;
    }
    if (deadline !== undefined && Date.now() + delayMs >= deadline) return undefined;
    return delayMs;
  };

  try {
    for (let attemptsMade = 1; ; attemptsMade++) {
      // Committed once something of the attempt reached the caller (gRFC A6): headers it asked for, or a message.
      let committed = false;
      const trailers = heldTrailers(options.onTrailer);
      const attemptOptions: CallOptions = {
        ...options,
        metadata: attemptsMade === 1 ? options.metadata : withPreviousAttempts(options, attemptsMade - 1),
        onHeader:
          options.onHeader &&
          ((header) => {
            committed = true;
            options.onHeader?.(header);
          }),
        onTrailer: trailers.receive,
      };
      const attemptCall: ClientCall<Req> =
        requests && call.requestStream
          ? { ...call, options: attemptOptions, requests: requests.replay() }
          : { ...call, options: attemptOptions };
      try {
        if (call.method.responseStream) {
          for await (const response of attempt(attemptCall)) {
            committed = true;
            yield response;
          }
          return;
        }
        // One response: held until the attempt ends OK (see above), then handed over.
        const responses: Res[] = [];
        for await (const response of attempt(attemptCall)) responses.push(response);
        yield* responses;
        return;
      } catch (error: unknown) {
        const delayMs = committed ? undefined : delayBeforeRetry(error, attemptsMade);
        if (delayMs === undefined) throw error;
        trailers.settle(false);
        await pause(policy, delayMs, signal);
      } finally {
        trailers.settle(true);
      }
    }
  } finally {
    requests?.close();
  }
}

/**
 * Holds an attempt's trailers until the attempt is known to be the last, so that the caller's `onTrailer` sees
 * the trailers of the call, once, and never those of an attempt that was retried.
 */
function heldTrailers(onTrailer: ((trailer: Metadata) => void) | undefined) {
  let held: Metadata | undefined;
  let state: 'open' | 'final' | 'retried' = 'open';
  return {
    receive(trailer: Metadata): void {
      if (state === 'final') onTrailer?.(trailer);
      else if (state === 'open') held = trailer;
    },
    settle(final: boolean): void {
      if (state !== 'open') return;
      state = final ? 'final' : 'retried';
      if (final && held) onTrailer?.(held);
      held = undefined;
    },
  };
}

/** Only calls that are safe to send twice are retried: idempotent by the proto, by configuration, or by a key. */
function mayRepeat(call: ClientCall, policy: RetryPolicy): boolean {
  if (call.method.idempotency !== 'unknown' || policy.idempotentMethods.has(call.method.path)) return true;
  const { metadata } = call.options;
  return metadata !== undefined && new Metadata(metadata).has(policy.idempotencyKeyHeader);
}

function withPreviousAttempts(options: CallOptions, previous: number): Metadata {
  return new Metadata(options.metadata).set(PREVIOUS_ATTEMPTS_HEADER, String(previous));
}

async function pause(policy: RetryPolicy, delayMs: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await policy.sleep(delayMs, signal);
  } catch (error: unknown) {
    if (signal?.aborted) throw new RpcError(Status.CANCELLED, 'the call was cancelled while waiting to retry', { cause: signal.reason });
    throw error;
  }
  // A sleep that ignores the signal still must not start an attempt the caller no longer wants.
  if (signal?.aborted) throw new RpcError(Status.CANCELLED, 'the call was cancelled while waiting to retry', { cause: signal.reason });
}
