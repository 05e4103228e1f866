import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CallOptions,
  type ClientMiddleware,
  effectiveDeadline,
  RpcError,
  type ServerMiddleware,
  Status,
  withSingleForm,
} from '@wirekit/core';
import { runEachStep } from '../shared/run-each-step.js';

/** Options of `deadlinePropagation`. */
export interface DeadlinePropagationOptions {
  /**
   * Taken off the inherited deadline, to leave the handler time to use the downstream answer (or report its
   * failure) before its own caller gives up. Default: 0.
   */
  readonly marginMs?: number;
}

/** The two halves of deadline propagation; they share one store, so use them as a pair. */
export interface DeadlinePropagation {
  /** Makes the handler's deadline and cancellation available to its outgoing calls; register it on the app. */
  readonly server: ServerMiddleware;
  /** Gives outgoing calls made while a handler runs its remaining deadline and its cancellation. */
  readonly client: ClientMiddleware;
}

/** What a running handler passes on to its outgoing calls. */
interface Inherited {
  readonly deadline: Date | undefined;
  readonly signal: AbortSignal;
}

/**
 * Propagates deadlines and cancellation down a chain of services: calls a handler makes (through a client that
 * uses `.client`) end no later than the handler's own deadline minus `marginMs`, and are cancelled when the
 * handler's call is (`ctx.signal`). A call's own earlier deadline and its own signal still apply.
 *
 * The handler's call travels in an `AsyncLocalStorage` private to this pair, so nothing is shared with other
 * instances, and handlers need not pass anything along by hand.
 *
 * @example
 * const deadlines = deadlinePropagation({ marginMs: 50 });
 * const ledger = createClient(LedgerService, 'ledger:50051', { middleware: [deadlines.client] });
 * const app = createApp({ services: [PaymentHandlers], middleware: [deadlines.server], providers: [{ provide: LEDGER, useValue: ledger }] });
 */
export function deadlinePropagation(options: DeadlinePropagationOptions = {}): DeadlinePropagation {
  const { marginMs = 0 } = options;
  if (!(marginMs >= 0)) throw new RangeError(`deadlinePropagation: marginMs must be ≥ 0, got ${marginMs}`);
  const storage = new AsyncLocalStorage<Inherited>();

  const server: ServerMiddleware = withSingleForm(
    async function* deadlineScope(call, next) {
      const inherited: Inherited = { deadline: call.context.deadline, signal: call.context.signal };
      // Each step of the inner chain runs inside the store, so the handler, and every promise it awaits, sees it;
      // wrapping only the creation of the generator would not reach its body.
      return yield* runEachStep(
        () => next(call),
        (step) => storage.run(inherited, step),
      );
    },
    // One response: the rest of the chain starts inside the store, and every promise it creates inherits it.
    (call, next) => storage.run({ deadline: call.context.deadline, signal: call.context.signal }, () => next(call)),
  );

  const client: ClientMiddleware = async function* propagateDeadline(call, next) {
    const inherited = storage.getStore();
    if (!inherited) return yield* next(call);
    const deadline = earliest(effectiveDeadline(call.options), inherited.deadline && inherited.deadline.getTime() - marginMs);
    if (deadline !== undefined && deadline <= Date.now()) {
      throw new RpcError(Status.DEADLINE_EXCEEDED, `no time left for ${call.method.path} within the deadline of the calling handler`);
    }
    const own = call.options.signal;
    const signal = own ? AbortSignal.any([own, inherited.signal]) : inherited.signal;
    const { timeoutMs: _relative, ...rest } = call.options;
    const options: CallOptions = deadline === undefined ? { ...rest, signal } : { ...rest, deadline, signal };
    return yield* next({ ...call, options });
  };

  return { server, client };
}

function earliest(first: number | undefined, second: number | undefined): number | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return Math.min(first, second);
}
