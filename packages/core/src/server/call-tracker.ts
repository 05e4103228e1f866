import type { ServerCallContext } from './server-call-context.js';

/** The calls a server has in progress, so a shutdown can wait for them or cancel them. */
export class CallTracker implements Iterable<ServerCallContext> {
  readonly #calls = new Set<ServerCallContext>();
  #idleWaiters: (() => void)[] = [];

  add(call: ServerCallContext): void {
    this.#calls.add(call);
  }

  delete(call: ServerCallContext): void {
    this.#calls.delete(call);
    if (this.#calls.size === 0) for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Resolves when no call is in progress. */
  idle(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  [Symbol.iterator](): Iterator<ServerCallContext> {
    return this.#calls[Symbol.iterator]();
  }
}
