import {
  type CallContext,
  type Client,
  RpcError,
  type RpcMode,
  type ServerMiddleware,
  type ServiceImplementation,
  Status,
} from '@wirekit/core';
import { type CallOutcome, observingMiddleware } from '../shared/observe-call.js';
import { aborted, type EchoService } from './echo-service.js';

/** The four RPC modes, in the order the matrix tests walk them. */
export const MODES: readonly RpcMode[] = ['unary', 'server_streaming', 'client_streaming', 'bidi_streaming'];

/**
 * How a matrix call goes: to its end; cancelled by the client's AbortSignal after the first message was
 * exchanged (the handler waits for the abort and throws its reason); the handler throwing after the first
 * message; or (unary and client-streaming only) cancelled while the handler ignores it and answers anyway.
 */
export type Scenario = 'normal' | 'cancel' | 'throw' | 'ignore';

/** The scenarios every middleware is tested under, in every mode. */
export const SCENARIOS: readonly Scenario[] = ['normal', 'cancel', 'throw'];

/** The method of each mode, as spans and log lines name it. */
export const METHOD_OF_MODE: Readonly<Record<RpcMode, string>> = {
  unary: 'Echo',
  server_streaming: 'Expand',
  client_streaming: 'Collect',
  bidi_streaming: 'Chat',
};

/** Messages the server receives and sends in each mode: both ways on a normal call, up to the first otherwise. */
export function expectedMessages(mode: RpcMode, scenario: Scenario): { readonly received: number; readonly sent: number } {
  const requests = mode === 'client_streaming' || mode === 'bidi_streaming' ? 2 : 1;
  const responses = mode === 'server_streaming' || mode === 'bidi_streaming' ? 2 : 1;
  if (scenario === 'normal') return { received: requests, sent: responses };
  if (scenario === 'ignore') return { received: 1, sent: 1 };
  // A failed or cancelled call got as far as its first request, and its first response when it streams them.
  return { received: 1, sent: mode === 'server_streaming' || mode === 'bidi_streaming' ? 1 : 0 };
}

/** The status the client sees: CANCELLED when it cancelled, INTERNAL for a thrown bug. */
export function expectedClientCode(scenario: Scenario): Status {
  if (scenario === 'normal') return Status.OK;
  return scenario === 'throw' ? Status.INTERNAL : Status.CANCELLED;
}

/** A promise with its resolve function, for events a test waits on. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** What the matrix handlers report: the first message reached the handler, and the abort the handler saw. */
export interface MatrixProbe {
  readonly firstReceived: Deferred<void>;
  readonly handlerAborted: Deferred<unknown>;
}

export function matrixProbe(): MatrixProbe {
  return { firstReceived: deferred(), handlerAborted: deferred() };
}

/** What the matrix handlers may be told: work to do after the first message, and what to throw. */
export interface MatrixHooks {
  /** Runs after the first message each way, before the scenario's failure or wait (e.g. a downstream call). */
  readonly midway?: (context: CallContext) => Promise<void>;
  /** What `throw` throws. Default: a `TypeError`, a bug. */
  readonly failure?: () => unknown;
}

/**
 * The echo service's four methods, each acting out the scenario named by its first request's `message`: one
 * message each way, then the scenario (`midway`), then the rest of a normal call (a second response, or the
 * remaining requests).
 */
export function matrixHandlers(probe: MatrixProbe, hooks: MatrixHooks = {}): ServiceImplementation<typeof EchoService> {
  const { failure = () => new TypeError('broke mid-call') } = hooks;
  const midway = async (scenario: string, context: CallContext): Promise<void> => {
    probe.firstReceived.resolve();
    await hooks.midway?.(context);
    if (scenario === 'throw') throw failure();
    if (scenario === 'cancel' || scenario === 'ignore') {
      const reason = await aborted(context.signal);
      probe.handlerAborted.resolve(reason);
      if (scenario === 'cancel') throw reason;
    }
  };
  return {
    echo: async (request, context) => {
      await midway(request.message, context);
      return { message: request.message };
    },
    async *expand(request, context) {
      yield { message: `${request.message}-0` };
      await midway(request.message, context);
      yield { message: `${request.message}-1` };
    },
    collect: async (requests, context) => {
      let count = 0;
      for await (const request of requests) {
        count++;
        if (count > 1) continue;
        await midway(request.message, context);
        // A handler that ignores its cancellation answers with what it has.
        if (request.message === 'ignore') break;
      }
      return { count };
    },
    async *chat(requests, context) {
      let first = true;
      for await (const request of requests) {
        yield { message: request.message };
        if (first) await midway(request.message, context);
        first = false;
      }
    },
  };
}

/** How a matrix call ended for the client. */
export interface Driven {
  readonly code: Status;
  readonly replies: readonly string[];
}

/** Options of `driveCall`. */
export interface DriveOptions {
  /** A further event to wait for before cancelling, such as a downstream call having started. */
  readonly cancelAfter?: Promise<unknown>;
  readonly deadline?: Date;
}

/**
 * Makes the call of `mode` acting out `scenario` and reports how it ended. A cancelling client aborts its
 * AbortSignal once the first message was exchanged: when it received the first response of a stream, or (unary
 * and client-streaming calls, which have none before the end) when the handler got the first request; and
 * after `cancelAfter` too, when given. Its request stream stays open until then, so the call is mid-stream.
 */
export async function driveCall(
  client: Client<typeof EchoService>,
  mode: RpcMode,
  scenario: Scenario,
  probe: MatrixProbe,
  options: DriveOptions = {},
): Promise<Driven> {
  const { cancelAfter, deadline } = options;
  const controller = new AbortController();
  const { signal } = controller;
  const callOptions = deadline === undefined ? { signal } : { signal, deadline };
  // Lets a request stream that waits for a cancellation end once the call is over.
  const callOver = new AbortController();
  const replies: string[] = [];
  const cancelling = scenario === 'cancel' || scenario === 'ignore';
  const cancel = async (): Promise<void> => {
    await cancelAfter;
    controller.abort();
  };
  async function* requests() {
    yield { message: scenario };
    if (scenario === 'normal') yield { message: 'second' };
    else await aborted(AbortSignal.any([signal, callOver.signal]));
  }
  try {
    switch (mode) {
      case 'unary': {
        const reply = client.echo({ message: scenario }, callOptions);
        // Awaited below; marked handled so that a failure while the cancel waits is not reported unhandled.
        reply.catch(() => {});
        if (cancelling) {
          await probe.firstReceived.promise;
          await cancel();
        }
        replies.push((await reply).message);
        break;
      }
      case 'server_streaming':
        for await (const reply of client.expand({ message: scenario, count: 2 }, callOptions)) {
          replies.push(reply.message);
          if (cancelling && replies.length === 1) await cancel();
        }
        break;
      case 'client_streaming': {
        const reply = client.collect(requests(), callOptions);
        reply.catch(() => {});
        if (cancelling) {
          await probe.firstReceived.promise;
          await cancel();
        }
        replies.push(String((await reply).count));
        break;
      }
      case 'bidi_streaming':
        for await (const reply of client.chat(requests(), callOptions)) {
          replies.push(reply.message);
          if (cancelling && replies.length === 1) await cancel();
        }
        break;
    }
    return { code: Status.OK, replies };
  } catch (error: unknown) {
    return { code: RpcError.from(error).code, replies };
  } finally {
    callOver.abort();
  }
}

/**
 * An observing middleware to register first (outermost): each call's outcome as the middleware inside it saw
 * it end, in order. Awaiting `next()` waits until every middleware inside has recorded the call.
 */
export function callEnds(): { readonly middleware: ServerMiddleware; next(): Promise<CallOutcome> } {
  const ended: CallOutcome[] = [];
  const waiting: ((outcome: CallOutcome) => void)[] = [];
  const middleware = observingMiddleware('callEnded', () => ({
    onEnd: (outcome) => {
      const waiter = waiting.shift();
      if (waiter) waiter(outcome);
      else ended.push(outcome);
    },
  }));
  return {
    middleware,
    next: () => {
      const outcome = ended.shift();
      return outcome ? Promise.resolve(outcome) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
