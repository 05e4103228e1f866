import { type CallContext, RpcError, type ServerCall, type ServerNext, Status } from '@wirekit/core';

/** How a call ended, for logs, metrics and spans. */
export interface CallOutcome {
  readonly code: Status;
  /** The error the call ended with, when it failed. */
  readonly error: RpcError | undefined;
  /** What was thrown, before conversion: the cause of an INTERNAL error. */
  readonly thrown: unknown;
  readonly durationMs: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
}

/** Hooks of an observing middleware; all optional but `onEnd`. */
export interface CallObserver<Req = unknown, Res = unknown> {
  onRequest?(message: Req, index: number): void;
  onResponse?(message: Res, index: number): void;
  onEnd(outcome: CallOutcome): void;
}

/**
 * Runs the rest of the chain while counting messages both ways and timing the call, and reports exactly once
 * how it ended, for all four modes. A call abandoned without an error (the client went away mid-stream) is
 * reported as CANCELLED, so cancelled calls are never lost from logs and metrics.
 */
export async function* observeCall<Req, Res>(
  call: ServerCall<Req>,
  next: ServerNext<Req, Res>,
  observer: CallObserver<Req, Res>,
): AsyncGenerator<Res, void, undefined> {
  const started = performance.now();
  let received = 0;
  let sent = 0;
  let settled = false;
  const end = (code: Status, error: RpcError | undefined, thrown: unknown): void => {
    if (settled) return;
    settled = true;
    observer.onEnd({ code, error, thrown, durationMs: performance.now() - started, messagesReceived: received, messagesSent: sent });
  };
  const counted: ServerCall<Req> = call.requestStream
    ? { ...call, requests: countRequests(call.requests, observer, () => received++) }
    : call;
  if (!call.requestStream) {
    observer.onRequest?.(call.request, 0);
    received = 1;
  }
  try {
    for await (const response of next(counted)) {
      observer.onResponse?.(response, sent);
      sent++;
      yield response;
    }
    end(Status.OK, undefined, undefined);
  } catch (thrown: unknown) {
    const error = RpcError.from(thrown);
    end(error.code, error, thrown);
    throw thrown;
  } finally {
    end(Status.CANCELLED, cancelledError(call.context), undefined);
  }
}

async function* countRequests<Req>(
  requests: AsyncIterable<Req>,
  observer: CallObserver<Req, unknown>,
  count: () => number,
): AsyncGenerator<Req> {
  for await (const request of requests) {
    observer.onRequest?.(request, count());
    yield request;
  }
}

function cancelledError(context: CallContext): RpcError {
  const reason: unknown = context.signal.reason;
  return reason instanceof RpcError ? reason : new RpcError(Status.CANCELLED, 'the call was abandoned before it ended');
}
