import type { Ledger, LedgerChange } from './ledger.js';

/**
 * The live changes one watcher has not sent yet: subscribed at construction, at most `limit` kept. Past the
 * limit it stops listening and `next` answers `'overflow'`, so a slow reader costs bounded memory.
 */
export class LiveChanges {
  readonly #queue: LedgerChange[] = [];
  readonly #unsubscribe: () => void;
  #overflowed = false;
  #wake: (() => void) | undefined;

  /** Starts listening to `ledger` for changes to `customerId`'s payments (empty: everyone's). */
  constructor(ledger: Ledger, customerId: string, limit: number) {
    this.#unsubscribe = ledger.subscribe((change) => {
      if (this.#overflowed || (customerId !== '' && change.payment.customerId !== customerId)) return;
      if (this.#queue.length >= limit) {
        this.#overflowed = true;
        this.#queue.length = 0;
        this.#unsubscribe();
      } else {
        this.#queue.push(change);
      }
      this.#wake?.();
    });
  }

  /** The next change, waiting for one; throws the signal's reason when it aborts first. */
  async next(signal: AbortSignal): Promise<LedgerChange | 'overflow'> {
    for (;;) {
      signal.throwIfAborted();
      if (this.#overflowed) return 'overflow';
      const change = this.#queue.shift();
      if (change) return change;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal.removeEventListener('abort', wake);
          this.#wake = undefined;
          resolve();
        };
        this.#wake = wake;
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  /** Stops listening; safe to call more than once. */
  close(): void {
    this.#unsubscribe();
    this.#queue.length = 0;
  }
}
