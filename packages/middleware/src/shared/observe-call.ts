import {
  type ClientCall,
  type ClientNext,
  RpcError,
  type ServerCall,
  type ServerMiddleware,
  type ServerNext,
  type ServerSingleNext,
  Status,
  withSingleForm,
} from '@wirekit/core';

/** How a call ended, for logs, metrics and spans. */
export interface CallOutcome {
  readonly code: Status;
  /** The error the call ended with, when it failed. */
  readonly error: RpcError | undefined;
  /** What was thrown, before conversion: the cause of an INTERNAL error. `undefined` for an abandoned call. */
  readonly thrown: unknown;
  readonly durationMs: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
}

/**
 * Hooks of an observing middleware; all optional but `onEnd`. They run inside the call, so they must not throw:
 * an exception from `onEnd` would become the call's error.
 */
export interface CallObserver<Req = unknown, Res = unknown> {
  onRequest?(message: Req, index: number): void;
  onResponse?(message: Res, index: number): void;
  onEnd(outcome: CallOutcome): void;
}

/**
 * Runs the rest of the chain while counting messages both ways and timing the call, and reports exactly once
 * how it ended, for all four modes. On the server, "received" counts requests and "sent" counts responses.
 *
 * A call abandoned without an error (the client went away mid-stream, so the chain was closed at a `yield`) is
 * reported with the context's abort reason: CANCELLED, or DEADLINE_EXCEEDED when the deadline passed. So is a
 * call whose handler returned normally after its client had cancelled: the client never got that answer, so
 * calling it OK would hide the cancellation from logs and metrics. The abort is read from `ctx.abortReason`, a
 * field the call context keeps anyway, not from `ctx.signal`, which would allocate an AbortSignal per call.
 *
 * @example
 * const timing: ServerMiddleware = async function* timing(call, next) {
 *   return yield* observeCall(call, next, { onEnd: ({ code, durationMs }) => record(call.method.path, code, durationMs) });
 * };
 */
export function observeCall<Req, Res>(
  call: ServerCall<Req>,
  next: ServerNext<Req, Res>,
  observer: CallObserver<Req, Res>,
): AsyncGenerator<Res, void, undefined> {
  return observeServerCall(call, next, () => observer);
}

/**
 * An observer that may also run each step of the rest of the chain inside a context of its own (an
 * OpenTelemetry `context.with`), as `runEachStep` does, without a generator of its own around the chain.
 */
export interface SteppingObserver<Req = unknown, Res = unknown> extends CallObserver<Req, Res> {
  within?<R>(step: () => R): R;
}

/**
 * `observeCall` for a middleware that is nothing else: it returns the observing generator itself, so the
 * middleware can be a plain function instead of a generator around it (one async generator per call instead of
 * two). `start` runs when the call starts (the generator's first step), never when the chain merely creates it,
 * so a call that is never run opens no span and counts nothing.
 *
 * @example
 * const timing: ServerMiddleware = function timing(call, next) {
 *   return observeServerCall(call, next, () => ({ onEnd: ({ code, durationMs }) => record(call.method.path, code, durationMs) }));
 * };
 */
export function observeServerCall<Req, Res>(
  call: ServerCall<Req>,
  next: ServerNext<Req, Res>,
  start: () => SteppingObserver<Req, Res>,
): AsyncGenerator<Res, void, undefined> {
  const { context } = call;
  return observed(
    call,
    next,
    start,
    () => context.abortReason ?? new RpcError(Status.CANCELLED, 'the call was abandoned before it ended'),
    () => context.abortReason,
  );
}

/**
 * A server middleware that only observes calls, in both forms (the generator, and the `single` form that Wirekit
 * runs unary and client-streaming calls through when the whole chain has one). `observe` runs when a call starts
 * running and gives its hooks. `name` names the middleware in errors.
 *
 * @example
 * const timing = observingMiddleware('timing', (call) => ({
 *   onEnd: ({ code, durationMs }) => record(call.method.path, code, durationMs),
 * }));
 */
export function observingMiddleware(name: string, observe: (call: ServerCall) => SteppingObserver): ServerMiddleware {
  const generatorForm = {
    [name](call: ServerCall, next: ServerNext) {
      return observeServerCall(call, next, () => observe(call));
    },
  }[name] as <Req, Res>(call: ServerCall<Req>, next: ServerNext<Req, Res>) => AsyncGenerator<Res, void, undefined>;
  const singleForm = (call: ServerCall, next: ServerSingleNext) => observeSingleCall(call, next, () => observe(call));
  return withSingleForm(generatorForm, singleForm as <Req, Res>(call: ServerCall<Req>, next: ServerSingleNext<Req, Res>) => Promise<Res>);
}

/**
 * `observeServerCall` for a middleware's `single` form (unary and client-streaming calls): the same counting,
 * timing and report, around a promise of the one response instead of a generator.
 */
export async function observeSingleCall<Req, Res>(
  call: ServerCall<Req>,
  next: ServerSingleNext<Req, Res>,
  start: () => SteppingObserver<Req, Res>,
): Promise<Res> {
  const observer = start();
  const started = performance.now();
  let received = 0;
  const counted = countingRequests(call, observer, () => received++);
  let response: Res;
  try {
    response = await (observer.within === undefined ? next(counted) : observer.within(() => next(counted)));
  } catch (thrown: unknown) {
    const error = RpcError.from(thrown);
    observer.onEnd({
      code: error.code,
      error,
      thrown,
      durationMs: performance.now() - started,
      messagesReceived: received,
      messagesSent: 0,
    });
    throw thrown;
  }
  observer.onResponse?.(response, 0);
  // The handler answered, but after its client cancelled (or its deadline passed): the client got no answer.
  const aborted = call.context.abortReason;
  observer.onEnd({
    code: aborted?.code ?? Status.OK,
    error: aborted,
    thrown: undefined,
    durationMs: performance.now() - started,
    messagesReceived: received,
    messagesSent: 1,
  });
  return response;
}

/**
 * The client side of `observeCall`, for client middleware: "sent" counts requests and "received" counts
 * responses. A call whose caller stopped reading a response stream (breaking out of `for await`) is reported as
 * CANCELLED, as is one cancelled by its `AbortSignal`.
 *
 * @example
 * const timing: ClientMiddleware = async function* timing(call, next) {
 *   return yield* observeClientCall(call, next, { onEnd: ({ code, durationMs }) => record(call.method.path, code, durationMs) });
 * };
 */
export function observeClientCall<Req, Res>(
  call: ClientCall<Req>,
  next: ClientNext<Req, Res>,
  observer: CallObserver<Req, Res>,
): AsyncGenerator<Res, void, undefined> {
  const { signal } = call.options;
  return observed(
    call,
    next,
    () => ({
      onRequest: observer.onRequest?.bind(observer),
      onResponse: observer.onResponse?.bind(observer),
      // Counted as the server counts (requests in, responses out), then turned to the client's point of view.
      onEnd: (outcome) => observer.onEnd({ ...outcome, messagesReceived: outcome.messagesSent, messagesSent: outcome.messagesReceived }),
    }),
    () =>
      signal?.aborted
        ? new RpcError(Status.CANCELLED, 'the call was cancelled by its AbortSignal', { cause: signal.reason })
        : new RpcError(Status.CANCELLED, 'the caller stopped reading the responses before the call ended'),
    // A caller that cancelled after the last response gets the call's outcome all the same.
    () => undefined,
  );
}

/** The two call shapes both sides share. */
type ObservableCall<Req> =
  | { readonly requestStream: false; readonly request: Req }
  | { readonly requestStream: true; readonly requests: AsyncIterable<Req> };

async function* observed<Req, Res, Call extends ObservableCall<Req>>(
  call: Call,
  next: (call: Call) => AsyncGenerator<Res, void, undefined>,
  start: () => SteppingObserver<Req, Res>,
  /** The error of a call closed at a `yield`, before it completed or failed. */
  abandoned: () => RpcError,
  /** The error of a call that completed after it was aborted, which its caller never saw complete. */
  abortedBeforeEnd: () => RpcError | undefined,
): AsyncGenerator<Res, void, undefined> {
  const observer = start();
  const started = performance.now();
  let received = 0;
  let sent = 0;
  let settled = false;
  const end = (code: Status, error: RpcError | undefined, thrown: unknown): void => {
    if (settled) return;
    settled = true;
    observer.onEnd({ code, error, thrown, durationMs: performance.now() - started, messagesReceived: received, messagesSent: sent });
  };
  const counted = countingRequests(call, observer, () => received++);
  const within = observer.within?.bind(observer);
  let completed = false;
  // Whether the rest of the chain has finished (returned or thrown); if not when this one is closed at a `yield`,
  // it is closed too, as `for await` would close it, so its own `finally` blocks run.
  let innerDone = false;
  let responses: AsyncGenerator<Res, void, undefined> | undefined;
  try {
    responses = within === undefined ? next(counted) : within(() => next(counted));
    const inner = responses;
    const step = within === undefined ? () => inner.next() : () => within(() => inner.next());
    while (true) {
      let result: IteratorResult<Res, void>;
      try {
        result = await step();
      } catch (error: unknown) {
        innerDone = true;
        throw error;
      }
      if (result.done === true) {
        innerDone = true;
        break;
      }
      observer.onResponse?.(result.value, sent);
      sent++;
      yield result.value;
    }
    completed = true;
  } catch (thrown: unknown) {
    const error = RpcError.from(thrown);
    end(error.code, error, thrown);
    throw thrown;
  } finally {
    if (!innerDone && responses !== undefined) {
      const inner = responses;
      await (within === undefined ? inner.return() : within(() => inner.return()));
    }
    if (completed) {
      const aborted = abortedBeforeEnd();
      end(aborted?.code ?? Status.OK, aborted, undefined);
    } else if (!settled) {
      const error = abandoned();
      end(error.code, error, undefined);
    }
  }
}

/**
 * The call to pass on, its requests counted: a request stream wrapped to count each message as it is read, or
 * the one request counted and reported now. `count` returns the message's index and counts it.
 */
function countingRequests<Req, Call extends ObservableCall<Req>>(
  call: Call,
  observer: CallObserver<Req, unknown>,
  count: () => number,
): Call {
  if (call.requestStream) return { ...call, requests: countRequests(call.requests, observer, count) };
  // Counted outside the optional call, which would skip `count()` when there is no hook.
  const index = count();
  observer.onRequest?.(call.request, index);
  return call;
}

async function* countRequests<Req>(
  requests: AsyncIterable<Req>,
  observer: CallObserver<Req, unknown>,
  count: () => number,
): AsyncGenerator<Req> {
  for await (const request of requests) {
    // Counted outside the optional call: `onRequest?.(request, count())` skips `count()` when there is no hook.
    const index = count();
    observer.onRequest?.(request, index);
    yield request;
  }
}
