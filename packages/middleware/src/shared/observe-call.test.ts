import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallContext, type MethodDescriptor, RpcError, type ServerCall, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { type CallOutcome, observeServerCall } from './observe-call.js';

// Only what observeServerCall reads: the context's abort reason, when a call ends.
function unaryCall(): ServerCall<string> {
  const context = { abortReason: undefined } as unknown as CallContext;
  const method = { path: '/test.v1.Test/Run', requestStream: false, responseStream: true } as unknown as MethodDescriptor;
  return { method, context, requestStream: false, request: 'hello' };
}

describe('observeServerCall', () => {
  it('starts the observer on the first step, not when the chain creates the generator', async () => {
    let starts = 0;
    const outcomes: CallOutcome[] = [];
    const responses = observeServerCall(
      unaryCall(),
      async function* handler() {
        yield 'one';
      },
      () => {
        starts++;
        return { onEnd: (outcome) => outcomes.push(outcome) };
      },
    );
    expect(starts).toBe(0);
    const seen: string[] = [];
    for await (const response of responses) seen.push(response as string);
    expect(seen).toEqual(['one']);
    expect(starts).toBe(1);
    expect(outcomes.map(({ code, messagesReceived, messagesSent }) => ({ code, messagesReceived, messagesSent }))).toEqual([
      { code: Status.OK, messagesReceived: 1, messagesSent: 1 },
    ]);
  });

  it('runs the creation, every step and the closing of the rest of the chain inside `within`', async () => {
    const storage = new AsyncLocalStorage<string>();
    const stores: (string | undefined)[] = [];
    const outcomes: CallOutcome[] = [];
    const responses = observeServerCall(
      unaryCall(),
      async function* handler() {
        try {
          stores.push(storage.getStore());
          yield 'one';
          stores.push(storage.getStore());
          yield 'two';
        } finally {
          stores.push(`finally ${storage.getStore()}`);
        }
      },
      () => ({ within: (step) => storage.run('span', step), onEnd: (outcome) => outcomes.push(outcome) }),
    );
    for await (const response of responses) {
      if (response === 'two') break; // the caller goes away mid-stream
    }
    expect(stores).toEqual(['span', 'span', 'finally span']);
    expect(outcomes.map(({ code, messagesSent }) => ({ code, messagesSent }))).toEqual([{ code: Status.CANCELLED, messagesSent: 2 }]);
  });

  it('reports a failure once, with what was thrown, and rethrows it', async () => {
    const outcomes: CallOutcome[] = [];
    const failure = new RpcError(Status.NOT_FOUND, 'no such thing');
    const responses = observeServerCall(
      unaryCall(),
      // biome-ignore lint/correctness/useYield: a handler that fails before its first response
      async function* handler() {
        throw failure;
      },
      () => ({ within: (step) => step(), onEnd: (outcome) => outcomes.push(outcome) }),
    );
    await expect(responses.next()).rejects.toBe(failure);
    expect(outcomes.map(({ code, thrown }) => ({ code, thrown }))).toEqual([{ code: Status.NOT_FOUND, thrown: failure }]);
  });
});
